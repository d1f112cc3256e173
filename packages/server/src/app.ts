import cors from '@fastify/cors';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { apiKeyGuard } from './api-key.js';
import type { CommandRegistry } from './command-registry.js';
import type { ProxyConfig } from './config.js';
import { corsOptions } from './cors.js';
import { answerFrameworkError, installErrorHandlers } from './error-handler.js';
import { installJsonBodyParser } from './json-body.js';
import { discoveryRoutes } from './routes/discovery.js';
import { doCommandRoute } from './routes/do-command.js';
import { explorerRoutes } from './routes/explorer.js';
import { loadExplorerAssets } from './explorer/explorer-assets.js';
import { jobListRoute } from './routes/job-list.js';
import { jobRoutes } from './routes/jobs.js';
import { metricsRoute } from './routes/metrics.js';
import { openApiRoute } from './routes/openapi.js';
import { readinessRoute } from './routes/readiness.js';
import type { JobSystem } from './jobs/job-system.js';
import type { ProxyMetrics } from './metrics.js';

/** The proxy's HTTP application: CORS, the API key, the routes, errors as envelopes. */
export async function buildApp(config: ProxyConfig, registry: CommandRegistry, jobs: JobSystem, metrics: ProxyMetrics, logger: Logger): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per command call is written by the route itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
  });
  installJsonBodyParser(app);
  await app.register(cors, corsOptions(config));
  if (config.apiKey !== undefined) app.addHook('onRequest', apiKeyGuard(config.apiKey));
  installErrorHandlers(app, config.maxBodyBytes);
  discoveryRoutes(app, registry);
  doCommandRoute(app, registry, jobs, metrics, config);
  jobRoutes(app, jobs);
  jobListRoute(app, jobs);
  metricsRoute(app, metrics);
  openApiRoute(app, registry, { apiKeyRequired: config.apiKey !== undefined });
  readinessRoute(app, registry, jobs);
  const explorer = loadExplorerAssets();
  if ('missing' in explorer) logger.warn({ missing: explorer.missing }, 'the explorer page is not served: its browser code is not built (npm run build)');
  explorerRoutes(app, 'missing' in explorer ? undefined : explorer);
  return app;
}
