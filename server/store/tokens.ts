import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Database } from 'better-sqlite3'

export const ROLES = ['submitter', 'reviewer', 'admin'] as const
export type Role = typeof ROLES[number]

export interface TokenInfo {
  id: string
  name: string
  role: Role
  createdAt: string
  revokedAt: string | null
}

interface TokenRow { id: string, name: string, role: Role, secret_sha256: Buffer, created_at: string, revoked_at: string | null }

// A token reads p3r_<id>_<secret>: the id finds the row, the secret is compared by hash.
const TOKEN = /^p3r_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/
const sha256 = (text: string) => createHash('sha256').update(text).digest()
const NO_SECRET = sha256('')

/** Whether a role may do what needs another: submitter < reviewer < admin. */
export const roleAtLeast = (role: Role, needed: Role) => ROLES.indexOf(role) >= ROLES.indexOf(needed)

export function createTokenStore(db: Database) {
  const insert = db.prepare<[string, string, string, Buffer, string]>(
    'INSERT INTO tokens (id, name, role, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)')
  const selectOne = db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE id = ?')
  const selectAll = db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY created_at, id')
  const revokeOne = db.prepare<[string, string]>('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')

  const info = (row: TokenRow): TokenInfo =>
    ({ id: row.id, name: row.name, role: row.role, createdAt: row.created_at, revokedAt: row.revoked_at })

  return {
    /** Makes a token; the returned secret is the only copy there will ever be. */
    create(name: string, role: Role, now = new Date()): TokenInfo & { token: string } {
      const id = randomBytes(6).toString('hex')
      const secret = randomBytes(32).toString('base64url')
      insert.run(id, name, role, sha256(secret), now.toISOString())
      return { ...info(selectOne.get(id)!), token: `p3r_${id}_${secret}` }
    },

    list(): TokenInfo[] {
      return selectAll.all().map(info)
    },

    revoke(id: string, now = new Date()): boolean {
      return revokeOne.run(now.toISOString(), id).changes === 1
    },

    /** The live token a bearer string stands for, if any; secrets are compared in constant time. */
    verify(bearer: string): TokenInfo | undefined {
      const match = TOKEN.exec(bearer)
      const row = match ? selectOne.get(match[1]!) : undefined
      const given = match ? sha256(match[2]!) : NO_SECRET
      const equal = timingSafeEqual(given, row?.secret_sha256 ?? NO_SECRET)
      return row && equal && row.revoked_at === null ? info(row) : undefined
    },
  }
}

export type TokenStore = ReturnType<typeof createTokenStore>
