#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so no build step stands between
// `npm ci` and `npm start` / `npx pop3-registry`.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../server/cli.ts')
await main()
