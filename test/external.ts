import { spawnSync } from 'node:child_process'

export interface ExternalProgram {
  /** True when the program answers here. */
  available: boolean
  /** Skip the suite: the program is missing and CI is not set (in CI a missing program fails the suite). */
  skip: boolean
}

/**
 * Whether a real program the tests drive (Dovecot, nginx, Chromium) is installed. .ci/run installs
 * each one, so with CI set its tests are required; elsewhere they are skipped, saying why on the console.
 */
export function externalProgram(what: string, command: string, args: string[], install: string): ExternalProgram {
  const available = spawnSync(command, args, { stdio: 'ignore' }).status === 0
  const skip = !available && !process.env.CI
  if (skip) console.warn(`SKIPPED: ${what} tests need ${command}, which is not installed here (${install}; .ci/run does it, and CI requires them).`)
  return { available, skip }
}
