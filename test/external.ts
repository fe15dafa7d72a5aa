import { spawnSync } from 'node:child_process'

export interface ExternalProgram {
  /** True when the program answers here. */
  available: boolean
  /** Skip the suite: the program is missing and CI is not set (with CI set a missing program throws, failing the file). */
  skip: boolean
}

/**
 * Whether a real program the tests drive (Dovecot, nginx, Chromium) is installed. .ci/run installs
 * each one, so with CI set its tests are required; elsewhere they are skipped, saying why on the console.
 */
export function externalProgram(what: string, command: string, args: string[], install: string): ExternalProgram {
  const available = spawnSync(command, args, { stdio: 'ignore' }).status === 0
  if (!available && process.env.CI) {
    // Said at once, rather than as whatever the first test trips over without the program.
    throw new Error(`${what} tests are required with CI set, but ${command} does not run here (${install}; .ci/run does it)`)
  }
  const skip = !available
  if (skip) console.warn(`SKIPPED: ${what} tests need ${command}, which is not installed here (${install}; .ci/run does it, and CI requires them).`)
  return { available, skip }
}
