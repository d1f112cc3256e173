import type { FastifyInstance } from 'fastify';
import { sendError } from '../error-handler.js';
import { jobNotFound, jobStoreUnavailable } from '../errors.js';
import { isJobId } from '../jobs/job-id.js';
import type { JobSystem } from '../jobs/job-system.js';

/** `GET /v1/jobs/{id}`: a background job's state, runs, delivery attempts and last error. */
export function jobRoutes(app: FastifyInstance, jobs: JobSystem): void {
  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (request, reply) => {
    if (!isJobId(request.params.id)) return sendError(reply, jobNotFound(request.params.id), request.id);
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
