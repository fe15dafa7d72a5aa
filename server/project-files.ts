/**
 * The project's own files (seed/, ...) found from its folder, whether this module runs from the
 * sources (server/project-files.ts, under tsx or vitest) or compiled (dist/server/project-files.js).
 * Resolve them through here, never `new URL('../..', import.meta.url)`: that differs by one level
 * between the two.
 */
const ROOT = new URL(import.meta.url.endsWith('.js') ? '../../' : '../', import.meta.url)

export function projectFile(path: string): URL {
  return new URL(path, ROOT)
}
