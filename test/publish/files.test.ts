import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RENDERERS, type DownloadUrl, type Renderers } from '../../server/publish/downloads.ts'
import { createPublicationFiles, KEPT_RENDERINGS, removeStaleFolders } from '../../server/publish/files.ts'
import { openRegistry } from '../../server/registry-file.ts'
import { createStore } from '../../server/store/index.ts'
import { sampleCapability, startRegistry, tempDir } from '../helpers.ts'

const cleanups: (() => void)[] = []
afterEach(() => { cleanups.splice(0).forEach((cleanup) => cleanup()) })

/** The id of a process that has ended: one started and waited for. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

describe('the publications\' temp folders', () => {
  it('of servers killed without closing are removed at start; those of running servers are kept', () => {
    const root = tempDir()
    cleanups.push(root.remove)
    const dead = join(root.path, `pop3-registry-publications-${deadPid()}-abc123`)
    const alive = join(root.path, `pop3-registry-publications-${process.ppid}-def456`)
    const other = join(root.path, 'pop3-registry-publications-old-format')
    for (const dir of [dead, alive, other]) mkdirSync(dir)
    writeFileSync(join(dead, 'registry_json-12'), 'a half-written rendering')
    removeStaleFolders(root.path)
    expect(existsSync(dead)).toBe(false)
    expect(existsSync(alive)).toBe(true)
    expect(existsSync(other)).toBe(true)
  })

  it('are named after the server\'s process, and removed when it closes', async () => {
    const previous = process.env.TMPDIR
    const root = tempDir()
    cleanups.push(root.remove)
    process.env.TMPDIR = root.path
    try {
      const registry = await startRegistry()
      expect(readdirSync(root.path)).toEqual([expect.stringMatching(new RegExp(`^pop3-registry-publications-${process.pid}-`))])
      await registry.close()
      expect(readdirSync(root.path)).toEqual([])
    } finally {
      if (previous === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = previous
    }
  })
})

describe('the renderings kept', () => {
  // Over a MiB, so that it is written to a file rather than kept in memory.
  const big = (text: string) => function* () { for (let i = 0; i < 20; i++) yield `${text}-${i}-${'x'.repeat(64 * 1024)}\n` }
  const bigRenderers: Renderers = { ...RENDERERS }
  for (const url of Object.keys(bigRenderers) as DownloadUrl[]) bigRenderers[url] = big(url)
  function files() {
    const { db } = openRegistry(':memory:', 'initial')
    const store = createStore(db)
    const publications = createPublicationFiles(db, store, { renderers: bigRenderers })
    cleanups.push(() => { void publications.close(); db.close() })
    return { store, publications }
  }
  const filesOf = (rendered: { path?: string }[]) => rendered.map((r) => r.path!).filter((path) => existsSync(path))

  it('are at most KEPT_RENDERINGS past days besides the latest downloads, the least recently asked for out first', async () => {
    const { publications } = files()
    await publications.get({ url: '/v1/registry.xml' })
    const days = []
    for (let day = 1; day <= KEPT_RENDERINGS + 4; day++) {
      days.push(await publications.get({ url: '/v1/registry.xml', asOf: `2001-07-${String(day).padStart(2, '0')}` }))
      // The first day is asked for again and again: it stays.
      await publications.get({ url: '/v1/registry.xml', asOf: '2001-07-01' })
    }
    const kept = publications.kept()
    expect(kept).toHaveLength(KEPT_RENDERINGS + 1)
    expect(kept).toContain('/v1/registry.xml')
    expect(kept).toContain('/v1/registry.xml?asOf=2001-07-01')
    expect(kept).not.toContain('/v1/registry.xml?asOf=2001-07-02')
    // The files of those let go are gone.
    expect(filesOf(days)).toHaveLength(KEPT_RENDERINGS)
  })

  it('of an older registry version are all let go once a newer one is rendered', async () => {
    const { store, publications } = files()
    const old = [await publications.get({ url: '/v1/registry.xml' }), await publications.get({ url: '/v1/registry.xml', asOf: '2001-07-01' })]
    expect(filesOf(old)).toHaveLength(2)
    store.capabilities.publish(sampleCapability('NEWCAP'), { at: new Date().toISOString(), action: 'register' })
    const fresh = await publications.get({ url: '/v1/registry.txt' })
    expect(publications.kept()).toEqual(['/v1/registry.txt'])
    expect(filesOf(old)).toEqual([])
    expect(filesOf([fresh])).toHaveLength(1)
  })
})

describe('the renderings of a file database', () => {
  function fileRegistry() {
    const dir = tempDir()
    const { db } = openRegistry(join(dir.path, 'registry.db'), 'current')
    const store = createStore(db)
    // However small, into the worker.
    const publications = createPublicationFiles(db, store, { atOnce: 0 })
    cleanups.push(() => { db.close(); dir.remove() })
    return { store, publications }
  }

  it('are made in a worker thread, byte for byte what the renderers write on the main thread', async () => {
    const { store, publications } = fileRegistry()
    // A worker costs a start of its own; two tell the table and the day apart.
    for (const { url, asOf } of [{ url: '/v1/registry.json', asOf: undefined }, { url: '/v1/registry.xml', asOf: '2005-01-01' }] as const) {
      const rendered = await publications.get({ url, asOf })
      const bytes = rendered.body ?? readFileSync(rendered.path!)
      expect(bytes.toString(), `${url} ${asOf ?? ''}`).toBe([...RENDERERS[url](asOf === undefined ? store : store.asOf(asOf)!)].join(''))
      expect(rendered.size).toBe(bytes.length)
      expect(rendered.version).toEqual(store.version())
    }
    await publications.close()
  })

  it('are made again after a load that changed an RFC status, and not after one that changed none', async () => {
    const { store, publications } = fileRegistry()
    const first = await publications.get({ url: '/v1/registry.json' })
    expect(store.rfcs.load(store.rfcs.all())).toBe(0)
    expect(await publications.get({ url: '/v1/registry.json' })).toBe(first)
    expect(store.rfcs.load([{ number: 2449, title: 'POP3 Extension Mechanism', status: 'HISTORIC', obsoletedBy: null }])).toBe(1)
    const second = await publications.get({ url: '/v1/registry.json' })
    expect(second.etag).not.toBe(first.etag)
    expect(second.version).toEqual(store.version())
    expect(second.version.rfcLoad).toBe(first.version.rfcLoad + 1)
    const rfcs = (JSON.parse((second.body ?? readFileSync(second.path!)).toString()) as { rfcs: { number: number, status: string }[] }).rfcs
    expect(rfcs.find((rfc) => rfc.number === 2449)?.status).toBe('HISTORIC')
    await publications.close()
  })

  it('not begun when the server closes are refused, and close waits for none', async () => {
    const { publications } = fileRegistry()
    const pending = publications.get({ url: '/v1/registry.json' })
    await publications.close()
    await expect(pending).rejects.toThrow(/closed before \/v1\/registry.json was rendered/)
  })
})
