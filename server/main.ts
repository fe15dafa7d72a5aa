// The command line's entry point: bin/pop3-registry.js runs its compiled form (dist/server/main.js,
// bundled with what it imports into dist/server/main.bundle.js for `serve`),
// `npm run dev` runs it from the sources through tsx.
import { main } from './cli.ts'

await main()
