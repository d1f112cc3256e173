import { readFileSync } from 'node:fs';
import { configurationError } from '@connector-proxy/sdk';
import type { LevelWithSilent } from 'pino';
import type { LogFormat } from './logger.js';

/** The proxy's configuration, read and checked once at start. */
export interface ProxyConfig {
  readonly host: string;
  readonly port: number;
  /** When set, every protected route needs this exact `Spiff-Connector-Proxy-Api-Key`. */
  readonly apiKey: string | undefined;
  /** Origins allowed by CORS; `undefined` allows every origin. */
  readonly corsOrigins: readonly string[] | undefined;
  readonly httpTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** Largest third-party answer a connector reads. */
  readonly maxResponseBytes: number;
  /** `CONNECTOR_PROXY_MAX_BUFFERED_BYTES`: bytes of third parties' answers all calls may hold at once. */
  readonly maxBufferedBytes: number;
  /** Calls in flight beyond which new ones are answered 503 with `Retry-After`. */
  readonly maxInflight: number;
  /** `CONNECTOR_PROXY_EGRESS_ALLOW`: when set, outbound connections only to these. */
  readonly egressAllow: readonly string[] | undefined;
  /** `CONNECTOR_PROXY_EGRESS_DENY`: never to these (wins over the allow list). */
  readonly egressDeny: readonly string[];
  /** Processes sharing the port (node:cluster). */
  readonly workers: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: LevelWithSilent;
  /** `CONNECTOR_PROXY_LOG_FORMAT`; unset: `pretty` when lines go to a terminal, else `json` (see logger.ts). */
  readonly logFormat: LogFormat | undefined;
  /** Extra connector modules: npm package names or file paths. */
  readonly connectors: readonly string[];
  /** Built-in connectors to leave out, by connector name. */
  readonly disabledConnectors: readonly string[];
  readonly jobs: JobsConfig;
  /** How long and how many connections callers may hold: the bounds that keep liveness answering. */
  readonly connections: ConnectionsConfig;
  readonly oauth: OAuthConfig;
  /** `CONNECTOR_PROXY_TYPEAHEAD_DIR`: the folder of `<category>.json` typeahead files, read once at start. */
  readonly typeaheadDir: string | undefined;
}

/** Bounds on the proxy's incoming connections, per process. */
export interface ConnectionsConfig {
  /** `CONNECTOR_PROXY_HEADERS_TIMEOUT_MS`: a request's headers must all arrive within this. */
  readonly headersTimeoutMs: number;
  /** `CONNECTOR_PROXY_REQUEST_TIMEOUT_MS`: a whole request, headers and body, must arrive within this. */
  readonly requestTimeoutMs: number;
  /** `CONNECTOR_PROXY_KEEP_ALIVE_TIMEOUT_MS`: an idle connection between requests is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** `CONNECTOR_PROXY_MAX_CONNECTIONS`: open connections in all; more are closed as they arrive. */
  readonly maxConnections: number;
  /** `CONNECTOR_PROXY_MAX_CONNECTIONS_PER_ADDRESS`: open connections from one client address (an IPv6 /64). */
  readonly maxConnectionsPerAddress: number;
}

/** OAuth2 connections (docs/oauth.md). */
export interface OAuthConfig {
  /** `CONNECTOR_PROXY_OAUTH_PROVIDERS`: path of the JSON file of providers; none when unset. */
  readonly providersFile: string | undefined;
  /** `CONNECTOR_PROXY_PUBLIC_URL`: the proxy's address as browsers reach it (behind a load balancer), no trailing slash. */
  readonly publicUrl: string | undefined;
  /** `CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW`: the only origins a finished connection may be sent back to. */
  readonly redirectAllow: readonly string[];
}

/** Background (asynchronous) jobs: where they are kept and how they are run and delivered. */
export interface JobsConfig {
  /** SQLite job store folder, used when no queue URL is set. */
  readonly dataDir: string;
  /** `redis://...`: jobs go through BullMQ, shared by every proxy process on that Redis. */
  readonly queueUrl: string | undefined;
  /** The 32-byte key sealing stored parameters and results with AES-256-GCM (`CONNECTOR_PROXY_SECRET_KEY`). */
  readonly secretKey: Buffer | undefined;
  /** Sent as `SpiffWorkflow-Api-Key` with every callback: SpiffArena refuses callbacks without a service account's key. */
  readonly callbackApiKey: string | undefined;
  /** `CONNECTOR_PROXY_CALLBACK_ORIGINS`: when set, callbacks may only go to these origins (required with the key, which goes nowhere else). */
  readonly callbackOrigins: readonly string[] | undefined;
  /** Bound on one callback delivery, from connect to the receiver's answer. */
  readonly callbackTimeoutMs: number;
  /** A run older than this no longer counts against `concurrency` (see jobs/job-slots.ts). */
  readonly slowAfterMs: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Runs of an idempotent command after transient failures, in all. */
  readonly maxRuns: number;
  readonly callbackMaxAttempts: number;
  readonly callbackMaxAgeMs: number;
  readonly callbackBaseDelayMs: number;
  readonly callbackMaxDelayMs: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Variables, their defaults and meaning: the configuration reference in README.md mirrors this. */
export function loadConfig(env: Environment): ProxyConfig {
  const jobs = loadJobsConfig(env);
  return {
    host: text(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 8200, 0, 65_535),
    apiKey: keySetting(env, 'CONNECTOR_PROXY_API_KEY'),
    corsOrigins: list(env, 'CONNECTOR_PROXY_CORS_ORIGINS'),
    httpTimeoutMs: integer(env, 'CONNECTOR_PROXY_HTTP_TIMEOUT_MS', 30_000, 1, 3_600_000),
    commandTimeoutMs: integer(env, 'CONNECTOR_PROXY_COMMAND_TIMEOUT_MS', 40_000, 1, 3_600_000),
    maxBodyBytes: integer(env, 'CONNECTOR_PROXY_MAX_BODY_BYTES', 10 * 1024 * 1024, 1024, 1024 ** 3),
    maxResponseBytes: integer(env, 'CONNECTOR_PROXY_MAX_RESPONSE_BYTES', 50 * 1024 * 1024, 1024, 1024 ** 3),
    maxBufferedBytes: integer(env, 'CONNECTOR_PROXY_MAX_BUFFERED_BYTES', 256 * 1024 * 1024, 1024, 1024 ** 4),
    maxInflight: integer(env, 'CONNECTOR_PROXY_MAX_INFLIGHT', 1024, 1, 1_000_000),
    egressAllow: list(env, 'CONNECTOR_PROXY_EGRESS_ALLOW'),
    egressDeny: list(env, 'CONNECTOR_PROXY_EGRESS_DENY') ?? [],
    workers: integer(env, 'CONNECTOR_PROXY_WORKERS', 1, 1, 64),
    shutdownGraceMs: integer(env, 'CONNECTOR_PROXY_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    logLevel: logLevel(env),
    logFormat: logFormat(env),
    connectors: list(env, 'CONNECTOR_PROXY_CONNECTORS') ?? [],
    disabledConnectors: list(env, 'CONNECTOR_PROXY_DISABLED_CONNECTORS') ?? [],
    jobs,
    connections: loadConnectionsConfig(env, openFilesLimit()),
    oauth: loadOAuthConfig(env, jobs.secretKey !== undefined),
    typeaheadDir: text(env, 'CONNECTOR_PROXY_TYPEAHEAD_DIR'),
  };
}

/** What is kept of the open-file limit for everything but incoming connections: outbound pools, the job store, logs. */
const FILES_KEPT_FOR_THE_REST = 64;
const MAX_CONNECTIONS_DEFAULT_CAP = 4096;

/**
 * Every connection takes one of the process's open files (`ulimit -n`): without a cap a few
 * hundred slow connections from one caller used them all, and liveness stopped answering. By
 * default the proxy keeps 64 files for its own use and gives each client address at most half of
 * the rest, so one caller never holds them all.
 */
function loadConnectionsConfig(env: Environment, fileLimit: number | undefined): ConnectionsConfig {
  const headersTimeoutMs = integer(env, 'CONNECTOR_PROXY_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = integer(env, 'CONNECTOR_PROXY_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  // Node.js refuses to start a server whose headers may take longer than the whole request.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw configurationError('CONNECTOR_PROXY_HEADERS_TIMEOUT_MS', `must not be more than CONNECTOR_PROXY_REQUEST_TIMEOUT_MS (${requestTimeoutMs}); got ${headersTimeoutMs}`);
  }
  const fromFiles = fileLimit === undefined ? MAX_CONNECTIONS_DEFAULT_CAP : Math.max(2, fileLimit - FILES_KEPT_FOR_THE_REST);
  const maxConnections = integer(env, 'CONNECTOR_PROXY_MAX_CONNECTIONS', Math.min(MAX_CONNECTIONS_DEFAULT_CAP, fromFiles), 1, 1_000_000);
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'CONNECTOR_PROXY_KEEP_ALIVE_TIMEOUT_MS', 72_000, 1, 3_600_000),
    maxConnections,
    maxConnectionsPerAddress: integer(env, 'CONNECTOR_PROXY_MAX_CONNECTIONS_PER_ADDRESS', Math.max(1, Math.floor(maxConnections / 2)), 1, 1_000_000),
  };
}

/** The process's soft limit on open files, where the system says it (Linux); else undefined. */
function openFilesLimit(): number | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    // Not Linux (or /proc not mounted): the fixed default applies.
    return undefined;
  }
  const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

function loadOAuthConfig(env: Environment, hasSecretKey: boolean): OAuthConfig {
  const providersFile = text(env, 'CONNECTOR_PROXY_OAUTH_PROVIDERS');
  const redirectAllow = origins(env, 'CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW') ?? [];
  if (providersFile !== undefined && redirectAllow.length === 0) {
    throw configurationError('CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW', "must list SpiffArena's origins (e.g. https://spiff.example.com) when CONNECTOR_PROXY_OAUTH_PROVIDERS is set");
  }
  // The OAuth state is sealed with a key every worker and replica shares: without one, a
  // connection started on one process could not be finished on another.
  if (providersFile !== undefined && !hasSecretKey) {
    throw configurationError('CONNECTOR_PROXY_SECRET_KEY', 'must be set when CONNECTOR_PROXY_OAUTH_PROVIDERS is: it seals the OAuth state (e.g. `openssl rand -hex 32`)');
  }
  return { providersFile, publicUrl: publicUrl(env), redirectAllow };
}

function publicUrl(env: Environment): string | undefined {
  const raw = text(env, 'CONNECTOR_PROXY_PUBLIC_URL');
  if (raw === undefined) return undefined;
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
    throw configurationError('CONNECTOR_PROXY_PUBLIC_URL', 'must be an http(s) URL without query, fragment or credentials, e.g. https://proxy.example.com');
  }
  return raw.replace(/\/+$/, '');
}

const HOUR_MS = 3_600_000;

function loadJobsConfig(env: Environment): JobsConfig {
  const callbackApiKey = keySetting(env, 'CONNECTOR_PROXY_CALLBACK_API_KEY');
  const callbackOrigins = origins(env, 'CONNECTOR_PROXY_CALLBACK_ORIGINS');
  // The key is a SpiffArena credential: sent to any URL a caller names, any caller could collect it.
  if (callbackApiKey !== undefined && callbackOrigins === undefined) {
    throw configurationError('CONNECTOR_PROXY_CALLBACK_API_KEY', 'needs CONNECTOR_PROXY_CALLBACK_ORIGINS, the origins of your SpiffArena backend (e.g. https://spiff.example.com): the key is sent there and nowhere else');
  }
  return {
    dataDir: text(env, 'CONNECTOR_PROXY_DATA_DIR') ?? './data',
    queueUrl: queueUrl(env),
    secretKey: secretKey(env),
    callbackApiKey,
    callbackOrigins,
    callbackTimeoutMs: integer(env, 'CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS', 30_000, 1, HOUR_MS),
    slowAfterMs: integer(env, 'CONNECTOR_PROXY_JOB_SLOW_AFTER_MS', 5_000, 1, 24 * HOUR_MS),
    concurrency: integer(env, 'CONNECTOR_PROXY_WORKER_CONCURRENCY', 4, 1, 1000),
    timeoutMs: integer(env, 'CONNECTOR_PROXY_JOB_TIMEOUT_MS', HOUR_MS, 1, 7 * 24 * HOUR_MS),
    maxRuns: integer(env, 'CONNECTOR_PROXY_JOB_MAX_RUNS', 3, 1, 100),
    callbackMaxAttempts: integer(env, 'CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS', 12, 1, 1000),
    callbackMaxAgeMs: integer(env, 'CONNECTOR_PROXY_CALLBACK_MAX_AGE_MS', 24 * HOUR_MS, 1, 30 * 24 * HOUR_MS),
    callbackBaseDelayMs: integer(env, 'CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS', 1000, 1, HOUR_MS),
    callbackMaxDelayMs: integer(env, 'CONNECTOR_PROXY_CALLBACK_MAX_DELAY_MS', 300_000, 1, 24 * HOUR_MS),
  };
}

function queueUrl(env: Environment): string | undefined {
  const raw = text(env, 'CONNECTOR_PROXY_QUEUE_URL');
  if (raw !== undefined && !/^rediss?:\/\//.test(raw)) {
    throw configurationError('CONNECTOR_PROXY_QUEUE_URL', 'must be a redis:// or rediss:// URL');
  }
  return raw;
}

function text(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw configurationError(name, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function list(env: Environment, name: string): string[] | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

/**
 * Comma-separated `http(s)://host[:port]` origins, each written exactly as `URL.origin` writes it
 * (a trailing `/` allowed): anything more (a path, a query, credentials, another spelling) is
 * refused rather than guessed at, since these lists decide where secrets may be sent.
 */
function origins(env: Environment, name: string): string[] | undefined {
  return list(env, name)?.map((entry) => {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (url === undefined || !/^https?:$/.test(url.protocol) || entry.replace(/\/$/, '') !== url.origin) {
      throw configurationError(name, `has ${JSON.stringify(entry)}, which is not an origin such as https://spiff.example.com (scheme, host and port only)`);
    }
    return url.origin;
  });
}

// A key set to the empty string is a mistake that would silently leave the proxy unprotected
// (or, for the callback key, have every callback refused).
function keySetting(env: Environment, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  if (raw.trim() === '') {
    throw configurationError(name, 'is set but empty: set a key, or unset the variable to run without one');
  }
  return raw;
}

const HOW_TO_MAKE_A_KEY =
  "make one with `openssl rand -base64 32` (or `openssl rand -hex 32`, or `node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`)";

/**
 * Exactly 32 bytes, as canonical base64 (44 characters with its `=`) or 64 hex digits. Node's
 * base64 decoder skips what it cannot read, so a passphrase, or 43 letters, would otherwise
 * decode to some key: a key that is not random is refused, not stretched.
 */
function secretKey(env: Environment): Buffer | undefined {
  const raw = text(env, 'CONNECTOR_PROXY_SECRET_KEY');
  if (raw === undefined) return undefined;
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(raw)) {
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.toString('base64') === raw) return bytes;
  }
  throw configurationError('CONNECTOR_PROXY_SECRET_KEY', `must be 32 random bytes written as base64 (44 characters ending in "=") or as 64 hex digits: ${HOW_TO_MAKE_A_KEY}`);
}

function logLevel(env: Environment): LevelWithSilent {
  const raw = text(env, 'CONNECTOR_PROXY_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw configurationError('CONNECTOR_PROXY_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return raw as LevelWithSilent;
}

const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

function logFormat(env: Environment): LogFormat | undefined {
  const raw = text(env, 'CONNECTOR_PROXY_LOG_FORMAT');
  if (raw !== undefined && !(LOG_FORMATS as readonly string[]).includes(raw)) {
    throw configurationError('CONNECTOR_PROXY_LOG_FORMAT', `must be one of ${LOG_FORMATS.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return raw as LogFormat | undefined;
}
