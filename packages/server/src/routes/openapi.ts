import type { FastifyInstance } from 'fastify';
import type { CommandRegistry } from '../command-registry.js';
import { buildOpenApiDocument, type OpenApiOptions } from '../openapi/openapi-document.js';

/** `GET /openapi.json`: made and serialized once at start (the registry never changes while the proxy runs). */
export function openApiRoute(app: FastifyInstance, registry: CommandRegistry, options: OpenApiOptions): void {
  const document = JSON.stringify(buildOpenApiDocument(registry, options));
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
}
