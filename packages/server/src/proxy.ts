import type { Connector } from '@connector-proxy/sdk';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { buildApp } from './app.js';
import { CommandRegistry, type LoadedConnector } from './command-registry.js';
import { proxyLogger } from './command-logger.js';
import { loadConfig, type Environment, type ProxyConfig } from './config.js';
import { loadConnectors } from './connector-loader.js';
import { startJobSystem, type JobSystem } from './jobs/job-system.js';
import { createEgressPolicy } from './egress-policy.js';
import { cannotListen } from './errors.js';
import { createLogger } from './logger.js';
import { ProxyMetrics } from './metrics.js';
import { SharedResponseBudget } from './response-budget.js';
import { createOAuthService } from './oauth/oauth-service.js';
import { collectGarbage } from './typeahead/full-collection.js';
import { loadTypeaheadCatalog, type TypeaheadCatalog } from './typeahead/typeahead-loader.js';

/** What {@link createProxy} takes; everything is optional. */
export interface ProxyOptions {
  /** The environment configuration and connectors read. Default: `process.env`. */
  env?: Environment;
  /** Serve exactly these connectors instead of the built-in and configured ones. */
  connectors?: readonly Connector<unknown>[];
  /** Where log lines go. Default: standard output. */
  logStream?: DestinationStream;
}

/** A configured proxy, not yet listening. */
export interface Proxy {
  readonly config: ProxyConfig;
  readonly app: FastifyInstance;
  readonly log: Logger;
  /** The bytes of third parties' answers calls hold now, out of `CONNECTOR_PROXY_MAX_BUFFERED_BYTES`. */
  readonly responseBudget: SharedResponseBudget;
  /** Starts listening; resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting calls, lets those in flight and running jobs finish (within the grace), then closes every connector. */
  close(): Promise<void>;
}

/**
 * Reads the configuration, loads and sets up the connectors and builds the HTTP app.
 *
 * @example
 * const proxy = await createProxy();
 * await proxy.listen(); // PORT, HOST from the environment
 */
export async function createProxy(options: ProxyOptions = {}): Promise<Proxy> {
  const config = loadConfig(options.env ?? process.env);
  const log = createLogger(config.logLevel, config.logFormat, options.logStream);
  // Before any connector opens a pool: bad typeahead data stops the start with nothing to close.
  const typeahead = loadTypeahead(config.typeaheadDir, log);
  const connectors: LoadedConnector[] = options.connectors
    ? options.connectors.map((connector) => ({ connector, source: `(given) ${connector.name}` }))
    : await loadConnectors(config);
  const egress = createEgressPolicy(config.egressAllow, config.egressDeny, (host, reason) => log.warn({ host, reason }, 'egress denied'));
  const oauth = await createOAuthService(config, options.env ?? process.env, egress, log);
  const registry = await CommandRegistry.create(connectors, {
    env: options.env ?? process.env,
    settings: {
      httpTimeoutMs: config.httpTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      egress,
      ...(oauth && { oauth: oauth.refresher }),
    },
    log: proxyLogger(log),
  }).catch(async (error: unknown) => {
    await oauth?.close();
    throw error;
  });
  const metrics = new ProxyMetrics(registry.ids);
  const responseBudget = new SharedResponseBudget(config.maxBufferedBytes);
  let jobs: JobSystem;
  try {
    jobs = await startJobSystem(config, registry, egress, log, (state) => metrics.recordJobTransition(state), responseBudget);
  } catch (error) {
    // The job store refused to start (say, Redis does not answer): release the connectors' pools.
    await registry.close();
    await oauth?.close();
    throw error;
  }
  const app = await buildApp({ config, registry, jobs, metrics, logger: log, responseBudget, typeahead, oauth });
  let closing: Promise<void> | undefined;
  return {
    config,
    app,
    log,
    responseBudget,
    async listen(port = config.port, host = config.host) {
      const address = await app.listen({ port, host }).catch((error: unknown) => {
        throw cannotListen(error, host, port) ?? error;
      });
      log.info({ commands: registry.size }, `connector-proxy listening at ${address}`);
      return address;
    },
    close() {
      // Once: a second call (a signal during shutdown, a test's cleanup) waits for the first.
      closing ??= (async () => {
        await app.close();
        await jobs.close(config.shutdownGraceMs);
        await registry.close();
        await oauth?.close();
      })();
      return closing;
    },
  };
}

function loadTypeahead(folder: string | undefined, log: Logger): TypeaheadCatalog {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const catalog = loadTypeaheadCatalog(folder);
  if (folder !== undefined) {
    collectGarbage();
    const categories = Object.fromEntries([...catalog].map(([name, index]) => [name, index.size]));
    const megabytes = [...catalog.values()].reduce((sum, index) => sum + index.bytes, 0) / 1024 ** 2;
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time beside the elapsed time: on a busy machine the second says little about the work.
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    log.info({ folder, categories, megabytes: Number(megabytes.toFixed(1)), ms: Math.round(performance.now() - started), cpuMs }, 'typeahead data loaded');
  }
  return catalog;
}

/** A proxy that is listening. */
export interface RunningProxy extends Proxy {
  /** Base URL, e.g. `http://127.0.0.1:43817`. */
  readonly url: string;
}

/**
 * Creates a proxy and listens on 127.0.0.1 at a free port: for tests and embedding.
 *
 * @example
 * const proxy = await startProxy({ connectors: [myConnector] });
 * await fetch(`${proxy.url}/v1/do/my/Command`, { method: 'POST', body: '{}' });
 * await proxy.close();
 */
export async function startProxy(options: ProxyOptions & { port?: number; host?: string } = {}): Promise<RunningProxy> {
  const proxy = await createProxy(options);
  const url = await proxy.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return Object.assign(proxy, { url });
}
