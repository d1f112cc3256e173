import type { CommandError } from '@connector-proxy/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorReply } from '../envelope.js';
import { internalError, jobNotFound, jobStoreUnavailable } from '../errors.js';
import type { JobSystem } from '../jobs/job-system.js';

/** `GET /v1/jobs/{id}`: a background job's state, runs, delivery attempts and last error. */
export function jobRoutes(app: FastifyInstance, jobs: JobSystem): void {
  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (request, reply) => {
    let status;
    try {
      status = await jobs.status(request.params.id);
    } catch (error) {
      request.log.error({ err: error }, 'job store failed: status unknown');
      return sendError(reply, jobStoreUnavailable(), request.id);
    }
    return status ?? sendError(reply, jobNotFound(request.params.id), request.id);
  });
}

function sendError(reply: FastifyReply, error: CommandError, requestId: string): FastifyReply {
  const answer = errorReply(error, [], () => internalError(requestId));
  return reply.code(answer.status).headers(answer.headers).send(answer.envelope);
}
