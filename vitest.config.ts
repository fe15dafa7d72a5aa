import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The process tests run the compiled CLI: compile dist/ first when a source changed.
    globalSetup: ['test/compile.ts'],
    // Every file in a worker shares one module graph: importing the server (fastify, zod, the
    // schemas) once per worker instead of once per file. No test mocks modules or keeps state at
    // module level, so nothing leaks from one file to the next.
    isolate: false,
    // Much of the suite waits (for processes, timeouts, long polls, followers), so run one file more
    // at a time than there are cores (vitest's default is one fewer: a single file on two cores).
    maxWorkers: availableParallelism() + 1,
    // The CLI tests start real processes, and the OpenAPI lint runs redocly.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
