import cors from '@fastify/cors';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { apiKeyGuard } from './api-key.js';
import type { CommandRegistry } from './command-registry.js';
import type { ProxyConfig } from './config.js';
import { corsOptions } from './cors.js';
import { installErrorHandlers } from './error-handler.js';
import { discoveryRoutes } from './routes/discovery.js';
import { doCommandRoute } from './routes/do-command.js';

/** The proxy's HTTP application: CORS, the API key, the routes, errors as envelopes. */
export async function buildApp(config: ProxyConfig, registry: CommandRegistry, logger: Logger): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per command call is written by the route itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
  });
  // The engine sends JSON; parse any content type as JSON so a missing header is not a 415.
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJson);
  await app.register(cors, corsOptions(config));
  if (config.apiKey !== undefined) app.addHook('onRequest', apiKeyGuard(config.apiKey));
  installErrorHandlers(app, config.maxBodyBytes);
  discoveryRoutes(app, registry);
  doCommandRoute(app, registry, config.commandTimeoutMs);
  return app;
}
