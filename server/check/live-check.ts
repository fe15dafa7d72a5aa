import type { CapaReport, Finding, ResponseCheckReport } from '../../schema/check.ts'
import { capabilityRecord, responseCodeRecord } from '../http/links.ts'
import type { Store } from '../store/index.ts'
import { checkCapa } from './capa-check.ts'
import { Pop3Client } from './pop3-client.ts'
import { checkResponse } from './response-check.ts'

export interface LiveCheckOptions {
  host: string
  port: number
  user?: string | undefined
  password?: string | undefined
  stls: boolean
  verifyTls: boolean
  timeoutMs: number
}

/** What the server said, raw. */
interface Transcript {
  greeting: string
  tls: boolean
  before?: string
  after?: string
  /** The answer to PASS, which may carry a response code (LOGIN-DELAY, IN-USE, SYS/…, AUTH). */
  login?: string
}

/** Greets a POP3 server, asks CAPA, logs in if told how and asks again, and says QUIT. */
async function talkToServer(options: LiveCheckOptions): Promise<Transcript> {
  const client = await Pop3Client.connect(options.host, options.port, options.timeoutMs)
  try {
    const transcript: Transcript = { greeting: (await client.readLine('greeting')).trimEnd(), tls: false }
    if (!transcript.greeting.startsWith('+OK')) return transcript
    client.send('CAPA')
    transcript.before = await client.readMultiline('CAPA response')
    if (options.stls) {
      client.send('STLS')
      const answer = await client.readLine('STLS response')
      if (!answer.startsWith('+OK')) throw new Error(`the server refused STLS: ${answer.trimEnd()}`)
      await client.startTls(options.host, options.verifyTls)
      transcript.tls = true
      // RFC 2595 §4: what was learnt before TLS is forgotten; CAPA is asked again.
      client.send('CAPA')
      transcript.before = await client.readMultiline('CAPA response after STLS')
    }
    if (options.user !== undefined && options.password !== undefined) {
      client.send(`USER ${options.user}`)
      const user = await client.readLine('USER response')
      if (user.startsWith('+OK')) {
        client.send(`PASS ${options.password}`)
        transcript.login = (await client.readLine('PASS response')).trimEnd()
      } else {
        transcript.login = user.trimEnd()
      }
      if (transcript.login.startsWith('+OK')) {
        client.send('CAPA')
        transcript.after = await client.readMultiline('CAPA response after login')
      }
    }
    client.send('QUIT')
    await client.readLine('QUIT response').catch(() => '')
    return transcript
  } finally {
    client.close()
  }
}

/** Where the checks run: against this database, or a registry server's /v1/check routes. */
export interface Checker {
  capa(input: { before?: string | undefined, after?: string | undefined }): Promise<CapaReport>
  response(line: string, command: string | undefined): Promise<ResponseCheckReport>
}

/** The checks against this database, their reports holding entries as the API shows them. */
export function localChecker(store: Store): Checker {
  const capabilities = {
    get: (tag: string) => {
      const entry = store.capabilities.get(tag)
      return entry && capabilityRecord(entry)
    },
    registeredAmong: (tags: string[]) => store.capabilities.registeredAmong(tags),
  }
  const responseCode = (code: string) => {
    const entry = store.responseCodes.get(code)
    return entry && responseCodeRecord(entry)
  }
  return {
    capa: async (input) => checkCapa(input, capabilities),
    response: async (line, command) => checkResponse(line, command, responseCode),
  }
}

export function remoteChecker(registryUrl: string, timeoutMs: number): Checker {
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(new URL(path, registryUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) throw new Error(`the registry at ${registryUrl} answered ${response.status}: ${await response.text()}`)
    return await response.json() as T
  }
  return {
    capa: (input) => post('/v1/check/capa', input),
    response: (line, command) => post('/v1/check/response', { line, command }),
  }
}

export interface LiveReport {
  server: string
  greeting: string
  tls: boolean
  capa: CapaReport | null
  login: ResponseCheckReport | null
  findings: Finding[]
}

export async function checkServer(options: LiveCheckOptions, checker: Checker): Promise<LiveReport> {
  const transcript = await talkToServer(options)
  const findings: Finding[] = []
  if (!transcript.greeting.startsWith('+OK')) {
    findings.push({ severity: 'error', id: 'pop3-greeting', message: `the greeting is not +OK: ${transcript.greeting}`, rfc: 'RFC 1939 §4' })
  }
  const capa = transcript.before === undefined && transcript.after === undefined
    ? null
    : await checker.capa({ before: transcript.before, after: transcript.after })
  const login = transcript.login === undefined ? null : await checker.response(transcript.login, 'PASS')
  if (options.user !== undefined && transcript.login && !transcript.login.startsWith('+OK')) {
    findings.push({ severity: 'info', id: 'pop3-login-refused', message: `the login was refused: ${transcript.login}`, rfc: 'RFC 1939 §7' })
  }
  findings.push(...capa?.findings ?? [], ...(login?.findings ?? []).filter((finding) => finding.id !== 'response-no-code'))
  return { server: `${options.host}:${options.port}`, greeting: transcript.greeting, tls: transcript.tls, capa, login, findings }
}

function capaSection(title: string, state: CapaReport['before']): string[] {
  if (!state) return []
  const width = Math.max(12, ...state.lines.map((line) => line.tag.length))
  return [
    `${title}: ${state.status ?? 'no status'}, ${state.lines.length} capabilities`,
    ...state.lines.map((line) => {
      const params = line.params.length > 0 ? ` ${line.params.join(' ')}` : ''
      const where = line.registration.kind === 'registered'
        ? `registered    ${line.registration.entry.references.join(', ')}`
        : line.registration.kind === 'x-range' ? 'X range       not registrable, fine to use' : 'unregistered'
      return `  ${line.tag.padEnd(width)}  ${where}${params ? `    args:${params}` : ''}`
    }),
    '',
  ]
}

/** The report as a person reads it. */
export function formatReport(report: LiveReport): string {
  const count = (severity: Finding['severity']) => report.findings.filter((finding) => finding.severity === severity).length
  const lines = [
    `POP3 server ${report.server}${report.tls ? ' (TLS after STLS)' : ''}`,
    `Greeting: ${report.greeting}`,
    '',
    ...capaSection('CAPA before login', report.capa?.before),
    ...capaSection('CAPA after login', report.capa?.after),
    ...(report.login ? [`Login: ${report.login.status ?? '?'}${report.login.code ? ` [${report.login.code}]` : ''} ${report.login.text}`.trimEnd(), ''] : []),
    'Findings:',
    ...(report.findings.length === 0 ? ['  none'] : report.findings.map((finding) => {
      const where = [finding.state, finding.line === undefined ? undefined : `line ${finding.line}`].filter(Boolean).join(', ')
      return `  ${finding.severity.padEnd(7)}  ${finding.id}: ${finding.message}${where ? ` (${where})` : ''} [${finding.rfc}]`
    })),
    '',
    `${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes`,
  ]
  return `${lines.join('\n')}\n`
}
