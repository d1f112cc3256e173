import cors from '@fastify/cors';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { apiKeyGuard, keyCheck, refuseWithoutKey } from './api-key.js';
import { CommandCalls } from './command-calls.js';
import type { CommandRegistry } from './command-registry.js';
import type { ProxyConfig } from './config.js';
import { connectionTimeouts, limitConnections } from './connection-limits.js';
import { corsOptions } from './cors.js';
import { frameworkErrorHandler, installErrorHandlers } from './error-handler.js';
import { installJsonBodyParser } from './json-body.js';
import { takeLeanCalls } from './lean-do-path.js';
import { requestIdGenerator } from './request-id.js';
import { discoveryRoutes } from './routes/discovery.js';
import { doCommandRoute } from './routes/do-command.js';
import { explorerRoutes } from './routes/explorer.js';
import { loadExplorerAssets } from './explorer/explorer-assets.js';
import { jobListRoute } from './routes/job-list.js';
import { jobRoutes } from './routes/jobs.js';
import { metricsRoute } from './routes/metrics.js';
import { oauthRoutes } from './routes/oauth.js';
import type { OAuthService } from './oauth/oauth-service.js';
import { typeaheadRoute } from './routes/typeahead.js';
import type { TypeaheadCatalog } from './typeahead/typeahead-loader.js';
import { openApiRoute } from './routes/openapi.js';
import { readinessRoute } from './routes/readiness.js';
import type { JobSystem } from './jobs/job-system.js';
import type { ProxyMetrics } from './metrics.js';
import type { SharedResponseBudget } from './response-budget.js';

/** What the routes serve: made once at start by proxy.ts. */
export interface AppParts {
  config: ProxyConfig;
  registry: CommandRegistry;
  jobs: JobSystem;
  metrics: ProxyMetrics;
  logger: Logger;
  responseBudget: SharedResponseBudget;
  typeahead: TypeaheadCatalog;
  /** Undefined when no OAuth2 provider is configured. */
  oauth: OAuthService | undefined;
}

/** The proxy's HTTP application: CORS, the API key, the routes, errors as envelopes. */
export async function buildApp({ config, registry, jobs, metrics, logger, responseBudget, typeahead, oauth }: AppParts): Promise<FastifyInstance> {
  const keyRefusal = config.apiKey === undefined ? undefined : refuseWithoutKey(config.apiKey);
  const nextRequestId = requestIdGenerator();
  const app = fastify({
    genReqId: nextRequestId,
    loggerInstance: logger as FastifyBaseLogger,
    // One line per command call is written by the route itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler(keyRefusal),
    ...connectionTimeouts(config),
  });
  limitConnections(app.server, config, logger);
  const parseBody = installJsonBodyParser(app);
  await app.register(cors, corsOptions(config));
  if (keyRefusal !== undefined) app.addHook('onRequest', apiKeyGuard(keyRefusal));
  installErrorHandlers(app, config.maxBodyBytes);
  discoveryRoutes(app, registry);
  const calls = new CommandCalls(registry, jobs, metrics, config, responseBudget);
  doCommandRoute(app, calls);
  jobRoutes(app, jobs);
  jobListRoute(app, jobs);
  metricsRoute(app, metrics);
  oauthRoutes(app, oauth);
  typeaheadRoute(app, typeahead);
  openApiRoute(app, registry, { apiKeyRequired: config.apiKey !== undefined });
  readinessRoute(app, registry, jobs);
  const explorer = loadExplorerAssets();
  if ('missing' in explorer) logger.warn({ missing: explorer.missing }, 'the explorer page is not served: its browser code is not built (npm run build)');
  explorerRoutes(app, 'missing' in explorer ? undefined : explorer);
  takeLeanCalls(app, {
    calls,
    parseBody,
    nextRequestId,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    carriesKey: config.apiKey === undefined ? undefined : keyCheck(config.apiKey),
    corsOrigins: config.corsOrigins,
  });
  return app;
}
