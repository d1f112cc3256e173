import type { FastifyInstance } from 'fastify';
import type { CommandRegistry } from '../command-registry.js';

/** `/v1/commands` and liveness: what the engine and its editor read (`/v1/auths` is in oauth.ts, `/` in explorer.ts). */
export function discoveryRoutes(app: FastifyInstance, registry: CommandRegistry): void {
  const liveness = { status: 'ok' };
  app.get('/liveness', async () => liveness);
  app.get('/v1/liveness', async () => liveness);
  app.get('/v1/commands', async (_request, reply) => reply.type('application/json').send(registry.descriptorsJson));
}
