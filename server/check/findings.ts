import type { Finding } from '../../schema/check.ts'

export const hasErrors = (findings: Finding[]) => findings.some((finding) => finding.severity === 'error')
