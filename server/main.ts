// The command line's entry point: bin/pop3-registry.js runs its compiled form (dist/server/main.js),
// `npm run dev` runs it from the sources through tsx.
import { main } from './cli.ts'

await main()
