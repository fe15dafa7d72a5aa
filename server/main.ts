// The command line's entry point: bin/pop3-registry.js runs its compiled form (dist/server/main.js;
// for `serve`, cli.ts bundled with what it imports into dist/server/main.bundle.cjs),
// `npm run dev` runs it from the sources through tsx.
import { main } from './cli.ts'

await main()
