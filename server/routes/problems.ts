import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ProblemSchema } from '../../schema/problem.ts'
import { HttpProblem, PROBLEM_KINDS, problemType, type ProblemKind } from '../http/problems.ts'

const KINDS = Object.keys(PROBLEM_KINDS) as [ProblemKind, ...ProblemKind[]]

/** Each problem type URI dereferences to a short description of that problem. */
export const problemRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/problems/:kind', {
    config: { lastModified: 'static' },
    schema: {
      summary: 'What a problem type means',
      operationId: 'getProblemType',
        tags: ['operations'],
      params: z.object({ kind: z.string() }),
      response: {
        200: z.object({ type: z.string(), title: z.string(), status: z.number().int(), description: z.string() }),
        404: ProblemSchema,
      },
    },
  }, async (request) => {
    const kind = KINDS.find((k) => k === request.params.kind)
    if (!kind) throw new HttpProblem('not-found', `There is no problem type "${request.params.kind}"; the types are ${KINDS.join(', ')}.`)
    return { type: problemType(kind), ...PROBLEM_KINDS[kind] }
  })
}
