import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../../server/app.ts'

export const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

/**
 * A browser as the pages meet it, over app.inject: it asks for HTML, keeps the cookies it is
 * given, and sends each form with the CSRF token of the page it came from.
 */
export function visitor(app: App) {
  const cookies = new Map<string, string>()
  let lastPage = ''

  function keep(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as { name: string, value: string, maxAge?: number, expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now())
      if (expired || cookie.value === '') cookies.delete(cookie.name)
      else cookies.set(cookie.name, cookie.value)
    }
    if (String(response.headers['content-type']).startsWith('text/html')) lastPage = response.body
    return response
  }
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')

  return {
    cookies,
    get page() { return lastPage },
    async get(url: string) {
      return keep(await app.inject({ method: 'GET', url, headers: { accept: HTML_ACCEPT, cookie: cookieHeader() } }))
    },
    /** Sends a form from the last page; `csrf: false` leaves its token out. */
    async post(url: string, fields: Record<string, string | string[]>, { csrf = true } = {}) {
      const form = new URLSearchParams()
      const token = /name="_csrf" value="([^"]+)"/.exec(lastPage)?.[1]
      if (csrf && token) form.append('_csrf', token)
      for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) form.append(name, one)
      return keep(await app.inject({
        method: 'POST',
        url,
        headers: { 'accept': HTML_ACCEPT, 'cookie': cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: form.toString(),
      }))
    },
    async signIn(token: string) {
      await this.get('/signin')
      return this.post('/signin', { token, next: '/registrations' })
    },
  }
}

/** The text of a page without its tags, spaces collapsed, for assertions on what a person reads. */
export const textOf = (page: string) =>
  page.replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&').replace(/\s+/g, ' ').replace(/ ([,.:;])/g, '$1')
