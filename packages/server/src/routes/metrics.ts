import type { FastifyInstance } from 'fastify';
import type { ProxyMetrics } from '../metrics.js';

/** `GET /metrics`: Prometheus text, behind the API key like every route but liveness. */
export function metricsRoute(app: FastifyInstance, metrics: ProxyMetrics): void {
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()));
}
