// `serve` runs the command line bundled by esbuild with the packages it imports into one CommonJS
// file (build-bundle.ts). It is compiled here through vm.Script rather than require()d, so that V8
// can be handed the code it compiled for the same file at build time (its code cache): parsing the
// 3.4 MB and compiling the functions a start-up runs were a third of a start-up's CPU time.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { projectFile } from '../project-files.ts'

export const BUNDLE = fileURLToPath(projectFile('dist/server/main.bundle.cjs'))
export const CODE_CACHE = fileURLToPath(projectFile('dist/server/main.bundle.cache'))

/**
 * What a code cache was made for, its first line. V8 checks its own version and flags, but of the
 * source only its length: the digest of the bundle's bytes is what keeps a cache from another
 * build from running in place of this one.
 */
function codeCacheKey(bundle: Buffer): string {
  return `pop3-registry code cache: ${createHash('sha256').update(bundle).digest('hex')} ${process.version} ${process.arch}`
}

/** The cached code in `file` if it was made for these bytes by this node, else undefined. */
function cachedCode(file: string, key: string): Buffer | undefined {
  let cache: Buffer
  try {
    cache = readFileSync(file)
  } catch {
    return undefined
  }
  const header = Buffer.from(`${key}\n`)
  return cache.subarray(0, header.length).equals(header) ? cache.subarray(header.length) : undefined
}

interface LoadedBundle {
  /** The bundle's exports: those of server/cli.ts. */
  exports: typeof import('../cli.ts')
  script: vm.Script
  key: string
  /** Whether a code cache made for this bundle was there and V8 took it. */
  cache: 'used' | 'none' | 'rejected'
}

/** Compiles and runs the bundle as node runs a CommonJS module, with its code cache when it has one made for it. */
export function loadBundle(file = BUNDLE, cacheFile = CODE_CACHE): LoadedBundle {
  const bytes = readFileSync(file)
  const key = codeCacheKey(bytes)
  const cachedData = cachedCode(cacheFile, key)
  // Without importModuleDynamically: the bundle has no import() (build-bundle.ts).
  const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file, ...(cachedData ? { cachedData } : {}) })
  const module = { exports: {} }
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  const cache = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'
  return { exports: module.exports as LoadedBundle['exports'], script, key, cache }
}
