/**
 * HTML built by a tagged template that escapes every interpolated value: only another `html`
 * fragment goes in as markup, so a page cannot hold unescaped text unless someone writes `raw`.
 */
export class Html {
  constructor(readonly markup: string) {}
  toString() { return this.markup }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[]

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

function render(value: Interpolation): string {
  if (value instanceof Html) return value.markup
  if (Array.isArray(value)) return value.map(render).join('')
  // false, null and undefined render nothing, so `${condition && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let markup = strings[0]!
  values.forEach((value, index) => { markup += render(value) + strings[index + 1]! })
  return new Html(markup)
}

/** An href that can only be an http(s) URL or a path of this site; anything else goes nowhere. */
export function safeHref(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return url
  return /^https?:\/\//i.test(url) ? url : '#'
}
