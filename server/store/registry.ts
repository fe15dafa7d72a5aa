import type { Database } from 'better-sqlite3'
import type { RegistryMetadata, SubRegistryRules } from '../../schema/registry.ts'

interface SubRegistryRow {
  id: SubRegistryRules['id']
  title: string
  policy: string | null
  registration_procedure: string
  required_fields: string
  optional_fields: string
}

/** The registry's own metadata: title, note, last-updated date, sub-registry rules, bibliography. */
export function createRegistryStore(db: Database) {
  const selectRegistry = db.prepare<[], { id: 'pop3-extension-mechanism', title: string, note: string, last_updated: string }>(
    'SELECT id, title, note, last_updated FROM registry')
  const selectSubRegistries = db.prepare<[], SubRegistryRow>(
    'SELECT * FROM sub_registries ORDER BY position')
  const selectBibliography = db.prepare<[], { id: string, citation: string, since: string | null }>(
    'SELECT id, citation, since FROM bibliography ORDER BY position')

  const insertRegistry = db.prepare<[string, string, string, string]>(
    'INSERT INTO registry (id, title, note, last_updated) VALUES (?, ?, ?, ?)')
  const insertSubRegistry = db.prepare<[string, number, string, string | null, string, string, string]>(
    `INSERT INTO sub_registries (id, position, title, policy, registration_procedure, required_fields, optional_fields)
     VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const insertCitation = db.prepare<[string, number, string, string | null]>(
    'INSERT INTO bibliography (id, position, citation, since) VALUES (?, ?, ?, ?)')

  return {
    metadata(): RegistryMetadata | undefined {
      const registry = selectRegistry.get()
      if (!registry) return undefined
      return {
        id: registry.id,
        title: registry.title,
        note: registry.note,
        lastUpdated: registry.last_updated,
        subRegistries: selectSubRegistries.all().map((row) => ({
          id: row.id,
          title: row.title,
          policy: row.policy,
          registrationProcedure: row.registration_procedure,
          requiredFields: JSON.parse(row.required_fields),
          optionalFields: JSON.parse(row.optional_fields),
        })),
        bibliography: selectBibliography.all().map(({ since, ...ref }) => (since === null ? ref : { ...ref, since })),
      }
    },

    /** Writes the metadata of an empty registry; entries come after, through the entry stores. */
    create(metadata: RegistryMetadata): void {
      db.transaction(() => {
        insertRegistry.run(metadata.id, metadata.title, metadata.note, metadata.lastUpdated)
        metadata.subRegistries.forEach((sub, position) => insertSubRegistry.run(
          sub.id, position, sub.title, sub.policy, sub.registrationProcedure,
          JSON.stringify(sub.requiredFields), JSON.stringify(sub.optionalFields)))
        metadata.bibliography.forEach((ref, position) => insertCitation.run(ref.id, position, ref.citation, ref.since ?? null))
      })()
    },
  }
}
