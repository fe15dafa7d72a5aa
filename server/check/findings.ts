/** One thing a conformance check found, with the rule it rests on. */
export interface Finding {
  /** error: breaks RFC 2449; warning: against the registry's record; info: worth knowing. */
  severity: 'error' | 'warning' | 'info'
  /** A stable id, e.g. "capa-line-too-long". */
  id: string
  message: string
  /** The RFC section the finding rests on, e.g. "RFC 2449 §5". */
  rfc: string
  state?: 'before' | 'after'
  line?: number
  tag?: string
}

export const hasErrors = (findings: Finding[]) => findings.some((finding) => finding.severity === 'error')
