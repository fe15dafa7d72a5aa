import { html, type Html } from '../html.ts'
import { layout } from '../layout.ts'

export interface SigninData {
  csrfToken: string
  who: { name: string, role: string } | undefined
  next: string
  error?: string
}

export function signinPage({ csrfToken, who, next, error }: SigninData): Html {
  const main = who
    ? html`<h1>Account</h1>
<p>You are signed in as <strong>${who.name}</strong>, with the ${who.role} role.</p>
<ul><li><a href="/registrations">Your registrations</a></li><li><a href="/register">Register a capability or response code</a></li></ul>
<form method="post" action="/signout"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit">Sign out</button></form>`
    : html`<h1>Sign in</h1>
<p>Paste an API token, made by an administrator with <code>pop3-registry token create --role submitter --name YOU</code>.
The page keeps a session in a cookie; the token is checked again on every request, so revoking it signs you out.</p>
${error && html`<p class="notice bad" role="alert" id="token-error">${error}</p>`}
<form method="post" action="/signin">
<input type="hidden" name="_csrf" value="${csrfToken}">
<input type="hidden" name="next" value="${next}">
<div class="field"><label for="token">API token</label>
<input type="password" id="token" name="token" autocomplete="off" required${error ? html` aria-invalid="true" aria-describedby="token-error"` : ''}></div>
<button type="submit">Sign in</button>
</form>`
  return layout({ title: who ? 'Account' : 'Sign in', section: '/signin', who, main })
}

export function signoutPage(csrfToken: string, who: { name: string, role: string } | undefined): Html {
  const main = who
    ? html`<h1>Sign out</h1><form method="post" action="/signout"><input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit">Sign out ${who.name}</button></form>`
    : html`<h1>Signed out</h1><p>You are not signed in. <a href="/signin">Sign in</a>.</p>`
  return layout({ title: 'Sign out', section: '/signin', who, main })
}
