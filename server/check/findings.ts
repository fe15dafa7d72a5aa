import type { Finding } from '../../schema/check.ts'

export type { Finding }

export const hasErrors = (findings: Finding[]) => findings.some((finding) => finding.severity === 'error')
