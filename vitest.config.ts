import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests start real processes, and the OpenAPI lint runs redocly.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
