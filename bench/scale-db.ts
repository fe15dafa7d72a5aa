// Builds a synthetic registry for the scale benchmark: N capabilities and N response codes, each
// registered and then updated twice, through the store's own publish (revision, terms, feed row).
import { openRegistry } from '../server/registry-file.ts'
import { createStore } from '../server/store/index.ts'

const DAY = 86_400_000
const STATES = ['AUTHORIZATION', 'TRANSACTION', 'UPDATE'] as const

export function buildScaleDatabase(path: string, perRegistry: number): { seconds: number, changes: number } {
  const began = performance.now()
  const { db } = openRegistry(path)
  const store = createStore(db)
  // Revision r of entry i is dated so that every day from 2002 on sees some change.
  const at = (i: number, revision: number) =>
    new Date(Date.UTC(2002, 0, 1) + (revision * perRegistry + i) * (DAY / 20)).toISOString()
  const batch = 5_000
  for (let revision = 0; revision < 3; revision++) {
    for (let from = 0; from < perRegistry; from += batch) {
      db.transaction(() => {
        for (let i = from; i < Math.min(from + batch, perRegistry); i++) {
          const action = revision === 0 ? 'register' : 'update'
          store.capabilities.publish({
            tag: `CAP${i}`,
            arguments: i % 3 === 0 ? ['secs', 'USER'] : [],
            addedCommands: [`C${(i % 900).toString(36).toUpperCase().padStart(2, '0')}`],
            affectedCommands: i % 50 === 0 ? 'all' : ['USER', 'PASS'],
            announcedStates: ['AUTHORIZATION', 'TRANSACTION'],
            possibleDifferences: i % 2 === 0,
            validStates: [STATES[i % 3]!],
            references: ['RFC2449'],
            discussion: `Synthetic capability number ${i}, revision ${revision + 1}, for the scale benchmark.`,
          }, { at: at(i, revision), action })
          store.responseCodes.publish({
            code: `CODE${i}/LEVEL${revision}`.split('/')[0]!,
            responseTypes: ['-ERR'],
            commands: ['PASS', 'APOP'],
            definition: `Synthetic response code number ${i}, revision ${revision + 1}.`,
            references: ['RFC2449'],
          }, { at: at(i, revision), action })
        }
      })()
    }
  }
  const changes = store.changes.latest().seq
  db.close()
  return { seconds: (performance.now() - began) / 1000, changes }
}
