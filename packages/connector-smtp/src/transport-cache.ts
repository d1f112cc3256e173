import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Nodemailer from 'nodemailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo, Transporter } from 'nodemailer';
import type { EgressPolicy } from '@connector-proxy/sdk';
import { policySocket, type GetSocket } from './policy-socket.js';

/** Where and how to send: what distinguishes one pooled transport from another. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  starttls: boolean;
  /** Both or neither: the command checks that. */
  credentials: { user: string; password: string } | undefined;
}

export type SmtpTransport = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

export interface TransportCacheOptions {
  /** Bound for connecting, for the greeting and for each wait on the socket (CONNECTOR_PROXY_HTTP_TIMEOUT_MS). */
  timeoutMs: number;
  /** The proxy's egress policy: every SMTP host is checked by it, by name and by the address connected to. */
  egress: EgressPolicy;
  /** Pools kept open at most; the least recently used one is closed beyond this. */
  capacity?: number;
}

const DEFAULT_CAPACITY = 16;
// Idle connections are closed well before the 5 minutes RFC 5321 lets a server wait, and soon
// enough that a workflow that sends once an hour does not hold a connection all that time.
const IDLE_TIMEOUT_MS = 30_000;
const MAX_CONNECTIONS_PER_POOL = 5;

const require = createRequire(import.meta.url);

/**
 * nodemailer, loaded on the first transport made rather than at start: it costs every proxy
 * ~5 MB of memory, used or not. Required, not imported, so that `TransportCache.get` stays
 * synchronous; require's cache keeps the module (and forgets a failed load, which is retried).
 */
function nodemailer(): typeof Nodemailer {
  return require('nodemailer') as typeof Nodemailer;
}

/**
 * A small LRU of pooled nodemailer transports, one per endpoint, so that consecutive e-mails to
 * the same server reuse an open, already authenticated connection instead of paying for
 * connect + EHLO + STARTTLS + AUTH every time.
 */
export class TransportCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #transports = new Map<string, SmtpTransport>();
  readonly #timeoutMs: number;
  readonly #capacity: number;
  readonly #egress: EgressPolicy;
  readonly #getSocket: GetSocket;

  constructor(options: TransportCacheOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.#egress = options.egress;
    this.#getSocket = policySocket(options.egress, options.timeoutMs);
  }

  /**
   * The pooled transport for `endpoint`, made on first use. Throws `EgressDenied` for a host the
   * egress policy forbids by name or address (a name's addresses are checked when connecting).
   */
  get(endpoint: SmtpEndpoint): SmtpTransport {
    this.#egress.assertHostAllowed(endpoint.host);
    const key = cacheKey(endpoint);
    const cached = this.#transports.get(key);
    if (cached) {
      this.#transports.delete(key);
      this.#transports.set(key, cached);
      return cached;
    }
    const transport = nodemailer().createTransport(this.#poolOptions(endpoint));
    this.#transports.set(key, transport);
    if (this.#transports.size > this.#capacity) this.#evictLeastRecentlyUsed();
    return transport;
  }

  /** How many pools are open (for tests and metrics). */
  get size(): number {
    return this.#transports.size;
  }

  /** Closes every pool: idle connections at once, busy ones once their message is sent. */
  close(): void {
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
  }

  #evictLeastRecentlyUsed(): void {
    const [oldestKey, oldest] = this.#transports.entries().next().value ?? [];
    if (oldestKey === undefined || oldest === undefined) return;
    this.#transports.delete(oldestKey);
    // Without `force`, a message this pool is sending right now still goes out.
    oldest.close();
  }

  #poolOptions(endpoint: SmtpEndpoint): SMTPPoolOptions & { pool: true } {
    const timeoutMs = this.#timeoutMs;
    return {
      pool: true,
      host: endpoint.host,
      port: endpoint.port,
      secure: false,
      // STARTTLS only when asked: then it is required, never a silent fall back to plain text.
      ...(endpoint.starttls ? { requireTLS: true } : { ignoreTLS: true }),
      auth: endpoint.credentials ? { user: endpoint.credentials.user, pass: endpoint.credentials.password } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      // Connections are opened by the egress policy's socket, never by nodemailer's own DNS and connect.
      getSocket: this.#getSocket,
      idleTimeout: Math.min(IDLE_TIMEOUT_MS, timeoutMs),
      maxConnections: MAX_CONNECTIONS_PER_POOL,
      // nodemailer's own logging would print the SMTP dialogue, AUTH included: keep it off.
      logger: false,
      debug: false,
      // Messages are built from parameters only: never let content point at local files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    };
  }
}

/**
 * The password is part of the key (as a digest, so the key holds no copy of it): otherwise a
 * call with a wrong password would be sent over a connection another call authenticated.
 */
function cacheKey(endpoint: SmtpEndpoint): string {
  const { user, password } = endpoint.credentials ?? { user: '', password: '' };
  const passwordDigest = password === '' ? '' : createHash('sha256').update(password).digest('base64');
  return JSON.stringify([endpoint.host.toLowerCase(), endpoint.port, endpoint.starttls, user, passwordDigest]);
}
