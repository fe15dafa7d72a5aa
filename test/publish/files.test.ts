import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { removeStaleFolders } from '../../server/publish/files.ts'
import { startRegistry, tempDir } from '../helpers.ts'

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
