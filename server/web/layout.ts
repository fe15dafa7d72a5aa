import type { FastifyReply } from 'fastify'
import { PAGES_CSP } from '../http/security-headers.ts'
import { html, type Html } from './html.ts'


export const HTML_TYPE = 'text/html; charset=utf-8'

const NAV = [
  { href: '/', label: 'Registry' },
  { href: '/register', label: 'Register' },
  { href: '/registrations', label: 'Registrations' },
  { href: '/docs', label: 'API' },
  { href: '/signin', label: 'Account' },
] as const

export interface PageOptions {
  title: string
  /** The nav entry of this page, marked aria-current. */
  section?: (typeof NAV)[number]['href']
  /** Who is signed in, on pages that are never cached; public pages are the same for everyone. */
  who?: { name: string, role: string } | undefined
  main: Html
}

export function layout({ title, section, who, main }: PageOptions): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · POP3 Extension Mechanism registry</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<nav aria-label="Site">
<a class="brand" href="/">POP3 registry</a>
<ul>${NAV.map((item) => html`<li><a href="${item.href}"${item.href === section ? html` aria-current="page"` : ''}>${item.label}</a></li>`)}</ul>
${who && html`<p class="who">Signed in as <strong>${who.name}</strong> (${who.role})</p>`}
</nav>
</header>
<main id="main">
${main}
</main>
<footer><p>POP3 Extension Mechanism (RFC 2449) · <a href="/openapi.yaml">OpenAPI</a> · <a href="/v1/registry">JSON API</a></p></footer>
</body>
</html>
`
}

/**
 * Answers with a page. The pages' routes carry their policy already (security-headers.ts); an error
 * page may answer on any route, an API one whose policy would forbid the stylesheet.
 */
export function sendPage(reply: FastifyReply, status: number, page: Html) {
  return reply.code(status).header('content-security-policy', PAGES_CSP).type(HTML_TYPE).send(page.markup)
}
