import type { FastifyInstance } from 'fastify';
import { invalidParameters, type ParameterProblem } from '@connector-proxy/sdk';
import { sendError } from '../error-handler.js';
import { jobStoreUnavailable } from '../errors.js';
import { JOB_STATES, type JobQuery, type JobState } from '../jobs/job-store.js';
import type { JobSystem } from '../jobs/job-system.js';
import { parseLimit, type LimitBounds } from './limit-query.js';

const LIMIT_BOUNDS: LimitBounds = { defaultLimit: 20, maxLimit: 100 };

/** `GET /v1/jobs?state=&limit=`: the newest background jobs first, with the fields of `GET /v1/jobs/{id}`. */
export function jobListRoute(app: FastifyInstance, jobs: JobSystem): void {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/v1/jobs', async (request, reply) => {
    let query: JobQuery;
    try {
      query = jobQuery(request.query);
    } catch (error) {
      return sendError(reply, error, request.id);
    }
    try {
      return { jobs: await jobs.list(query) };
    } catch (error) {
      request.log.error({ err: error }, 'job store failed: jobs not listed');
      return sendError(reply, jobStoreUnavailable(), request.id);
    }
  });
}

/** Reads `state` and `limit`; a bad value is a 400 `invalid_parameters` naming it. */
function jobQuery(raw: Record<string, string | string[] | undefined>): JobQuery {
  const problems: ParameterProblem[] = [];
  const state = raw.state;
  if (state !== undefined && (typeof state !== 'string' || !JOB_STATES.includes(state as JobState))) {
    problems.push({ parameter: 'state', message: `must be one of ${JOB_STATES.join(', ')}` });
  }
  const limit = parseLimit(raw.limit, LIMIT_BOUNDS);
  if (typeof limit !== 'number') problems.push(limit);
  if (problems.length > 0 || typeof limit !== 'number') throw invalidParameters(problems);
  return { state: state as JobState | undefined, limit };
}
