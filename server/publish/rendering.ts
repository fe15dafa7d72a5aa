import { createHash } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import type { RegistryVersion, Store } from '../store/index.ts'
import type { Renderer } from './downloads.ts'

/** A publication rendered at one registry version (change and RFC load): in memory when small, in a file when not. */
export interface Rendered {
  version: RegistryVersion
  etag: string
  size: number
  body?: Buffer
  path?: string
}

// Up to this size a rendering stays in memory; past it, it goes to the file and is streamed.
const IN_MEMORY = 1 << 20
// Chunks are gathered into slices of this many characters before they become bytes: far fewer,
// larger buffers.
const GATHER = 64 * 1024

function* gathered(chunks: Iterable<string>) {
  let text = ''
  for (const chunk of chunks) {
    text += chunk
    if (text.length >= GATHER) {
      yield text
      text = ''
    }
  }
  if (text) yield text
}

/**
 * Renders a download of the registry as `store` reads it (now, or on `asOf`), hashing it for its
 * ETag and keeping it in memory or, once it outgrows IN_MEMORY, writing it to `path`.
 */
export function writeRendering(store: Store, render: Renderer, asOf: string | undefined, path: string): Rendered {
  const version = store.version()
  const hash = createHash('sha1')
  const held: Buffer[] = []
  let size = 0
  let fd: number | undefined
  try {
    for (const text of gathered(render(asOf === undefined ? store : store.asOf(asOf)!))) {
      const bytes = Buffer.from(text)
      hash.update(bytes)
      size += bytes.length
      if (fd === undefined) {
        held.push(bytes)
        if (size > IN_MEMORY) {
          fd = openSync(path, 'w')
          for (const part of held.splice(0)) writeSync(fd, part)
        }
      } else {
        writeSync(fd, bytes)
      }
    }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
  const etag = `"${hash.digest('base64url')}"`
  return fd === undefined
    ? { version, etag, size, body: Buffer.concat(held) }
    : { version, etag, size, path }
}
