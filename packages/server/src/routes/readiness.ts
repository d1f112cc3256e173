import type { FastifyInstance } from 'fastify';
import type { CommandRegistry } from '../command-registry.js';
import type { JobSystem } from '../jobs/job-system.js';

/**
 * `GET /readyz`: 200 when every connector is set up and the job store answers, else 503 with the
 * reason, for a load balancer or orchestrator deciding whether to send calls here. `/liveness`
 * says only that the process serves; this says whether calls can succeed. Never behind the key.
 */
export function readinessRoute(app: FastifyInstance, registry: CommandRegistry, jobs: JobSystem): void {
  app.get('/readyz', async (request, reply) => {
    if (!registry.setUp) return reply.code(503).send({ status: 'not_ready', reason: 'the connectors are being closed (shutting down)' });
    try {
      await jobs.ping();
    } catch (error) {
      request.log.warn({ err: error }, 'readiness: the job store does not answer');
      // The store's own message can name a path or a host; the log has it, the answer says what failed.
      return reply.code(503).send({ status: 'not_ready', reason: 'the job store does not answer; the details are in the proxy\'s log' });
    }
    return { status: 'ready', commands: registry.size };
  });
}
