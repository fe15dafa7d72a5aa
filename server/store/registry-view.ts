import type { Rfc } from '../../schema/rfc.ts'

/** What the registration rules need to know of the registry as it is now (built by the store). */
export interface RegistryView {
  hasCapability(tag: string): boolean
  hasResponseCode(code: string): boolean
  /** Whether a registered key is deprecated. */
  isDeprecated(kind: 'capability' | 'response-code', key: string): boolean
  /** A registered key's entry as it is, its registered fields only. */
  entryOf(kind: 'capability' | 'response-code', key: string): unknown
  rfc(number: number): Rfc | undefined
}
