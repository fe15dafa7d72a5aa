import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The process tests run the compiled CLI: compile dist/ first when a source changed.
    globalSetup: ['test/compile.ts'],
    // The CLI tests start real processes, and the OpenAPI lint runs redocly.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
