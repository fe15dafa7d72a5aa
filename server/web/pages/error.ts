import type { Problem } from '../../../schema/problem.ts'
import { html, type Html } from '../html.ts'
import { layout } from '../layout.ts'

const ADVICE: Record<number, Html> = {
  401: html`<p><a href="/signin">Sign in</a> with an API token, then try again.</p>`,
  403: html`<p>If you followed a form of this site, go back, reload the page and send it again.</p>`,
  404: html`<p>Look it up in <a href="/">the registry</a>.</p>`,
  429: html`<p>Too many requests came from your address; wait a minute and try again.</p>`,
}

/** The page a browser gets for an error that an API client gets as problem+json. */
export function errorPage(problem: Problem): Html {
  const main = html`<h1>${problem.status}: ${problem.title}</h1>
${problem.violations && problem.violations.length > 0
    ? html`<ul class="notice bad">${problem.violations.map((v) => html`<li><code>${v.path}</code>: ${v.message}</li>`)}</ul>`
    : html`<p class="notice bad">${problem.detail}</p>`}
${ADVICE[problem.status] ?? (problem.status >= 500 ? html`<p>The failure is logged; try again later.</p>` : html`<p>Go back to <a href="/">the registry</a>.</p>`)}`
  return layout({ title: `${problem.status} ${problem.title}`, main })
}
