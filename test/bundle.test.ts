// `serve` runs dist/server/main.bundle.cjs with the code V8 compiled for it at build time
// (server/bundle/): a start-up uses that code only when it was made for these very bytes by this node.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from './helpers.ts'
import { ROOT } from './processes.ts'

const BUNDLE = join(ROOT, 'dist/server/main.bundle.cjs')
const CODE_CACHE = join(ROOT, 'dist/server/main.bundle.cache')
const SERVE_ABOUT = 'Serve the registry over HTTP'

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

function scratch() {
  const dir = tempDir()
  cleanups.push(dir.remove)
  return dir.path
}

/** Loads a bundle as bin/ does, in a node process of its own, and has it print `help serve`. */
function loadBundle(bundle = BUNDLE, cache = CODE_CACHE): { cache: string, help: string } {
  const loader = join(ROOT, 'dist/server/bundle/load-bundle.js')
  const code = `const { loadBundle } = await import(${JSON.stringify(loader)})
    const loaded = loadBundle(process.argv[1], process.argv[2])
    let help = ''
    await loaded.exports.runCli(['help', 'serve'], { out: (text) => { help += text } })
    process.stdout.write(JSON.stringify({ cache: loaded.cache, help }))`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code, bundle, cache], { encoding: 'utf8', timeout: 20_000 })
  if (run.status !== 0) throw new Error(run.stderr)
  return JSON.parse(run.stdout) as { cache: string, help: string }
}

describe('the bundle serve runs', () => {
  it('is compiled from the code cache npm run build made for it', () => {
    const loaded = loadBundle()
    expect(loaded.cache).toBe('used')
    expect(loaded.help).toContain(SERVE_ABOUT)
  })

  it('runs its own code, not the cache, when its bytes are not those the cache was made for (V8 checks only their length)', () => {
    const bundle = join(scratch(), 'main.bundle.cjs')
    const source = readFileSync(BUNDLE, 'utf8')
    expect(source).toContain(SERVE_ABOUT)
    writeFileSync(bundle, source.replace(SERVE_ABOUT, SERVE_ABOUT.toUpperCase()))
    const loaded = loadBundle(bundle)
    expect(loaded.cache).toBe('none')
    expect(loaded.help).toContain(SERVE_ABOUT.toUpperCase())
  })

  it('leaves out a cache another node made, and runs without one V8 refuses', () => {
    const cache = readFileSync(CODE_CACHE)
    const header = cache.subarray(0, cache.indexOf('\n') + 1).toString()
    expect(header).toContain(` ${process.version} `)
    const otherNode = join(scratch(), 'other-node.cache')
    writeFileSync(otherNode, Buffer.concat([Buffer.from(header.replace(` ${process.version} `, ' v0.0.1 ')), cache.subarray(header.length)]))
    expect(loadBundle(BUNDLE, otherNode).cache).toBe('none')

    const garbled = join(scratch(), 'garbled.cache')
    writeFileSync(garbled, Buffer.concat([Buffer.from(header), Buffer.alloc(cache.length - header.length, 7)]))
    const loaded = loadBundle(BUNDLE, garbled)
    expect(loaded.cache).toBe('rejected')
    expect(loaded.help).toContain(SERVE_ABOUT)
  })
})

describe('a start-up without the code cache', () => {
  const serveHelp = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/pop3-registry.js'), 'serve', '--help'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } })

  it('says so when V8 refuses the cache because node was given V8 flags, and still serves', () => {
    const flagged = serveHelp({ NODE_OPTIONS: '--max-old-space-size=512' })
    expect(flagged.stdout).toContain(SERVE_ABOUT)
    expect(flagged.stderr).toContain('V8 refused it')
    const plain = serveHelp({ NODE_OPTIONS: '' })
    expect(plain.stdout).toContain(SERVE_ABOUT)
    expect(plain.stderr).toBe('')
  })
})

describe('which build serve runs', () => {
  /** A project folder with bin/ and a dist/ whose files and bundle each say which they are. */
  function project() {
    const root = scratch()
    const put = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), text)
    }
    put('package.json', '{"type":"module"}')
    mkdirSync(join(root, 'bin'))
    copyFileSync(join(ROOT, 'bin/pop3-registry.js'), join(root, 'bin/pop3-registry.js'))
    put('dist/server/main.js', `process.stdout.write('files')`)
    put('dist/server/main.bundle.cjs', '')
    put('dist/server/bundle/load-bundle.js', `export const loadBundle = () => ({ exports: { main: () => process.stdout.write('bundle') } })`)
    put('dist/.tsbuildinfo', '{}')
    const serve = () => spawnSync(process.execPath, [join(root, 'bin/pop3-registry.js'), 'serve'], { encoding: 'utf8', timeout: 20_000 }).stdout
    const compiledAt = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds)
    return { serve, compiledAt }
  }

  it('is the bundle when it was made after the last compile', () => {
    const { serve, compiledAt } = project()
    compiledAt('dist/.tsbuildinfo', 1_000)
    compiledAt('dist/server/main.bundle.cjs', 2_000)
    expect(serve()).toBe('bundle')
  })

  it('is dist/\'s files when tsc compiled again after the bundle was made, which holds the older code', () => {
    const { serve, compiledAt } = project()
    compiledAt('dist/server/main.bundle.cjs', 1_000)
    compiledAt('dist/.tsbuildinfo', 2_000)
    expect(serve()).toBe('files')
  })
})
