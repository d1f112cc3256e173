import type { Server } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ProxyConfig } from './config.js';

/**
 * How long an answer may wait for a client that stopped reading it, past the command's own
 * bound: the socket-inactivity bound must never cut a call whose command is still running (no
 * byte moves on the connection then).
 */
const ANSWER_IDLE_MARGIN_MS = 5_000;
/** Node.js checks request and header deadlines on a timer; by default every 30 s, far coarser than the deadlines themselves. */
const MAX_CHECK_INTERVAL_MS = 1_000;

/**
 * Fastify's options bounding each phase of a connection's life: the headers
 * (`CONNECTOR_PROXY_HEADERS_TIMEOUT_MS`), the whole request with its body
 * (`CONNECTOR_PROXY_REQUEST_TIMEOUT_MS`: a client sending a byte every few seconds is answered
 * 408 and closed), the wait between requests (`CONNECTOR_PROXY_KEEP_ALIVE_TIMEOUT_MS`), and any
 * silence while the answer is made and read (the command's timeout plus a margin).
 */
export function connectionTimeouts(config: ProxyConfig) {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.connections;
  return {
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionTimeout: config.commandTimeoutMs + ANSWER_IDLE_MARGIN_MS,
    http: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(headersTimeoutMs / 2)),
    },
  };
}

/** At most one warning per this long: refusals come in floods, their log lines should not. */
const WARN_EVERY_MS = 10_000;

/**
 * Caps the server's open connections in all (`CONNECTOR_PROXY_MAX_CONNECTIONS`: Node.js closes
 * the next ones as they arrive) and from one client address
 * (`CONNECTOR_PROXY_MAX_CONNECTIONS_PER_ADDRESS`: counted as each connection is accepted,
 * closed at once beyond it), so that one caller cannot take every open file of the process and
 * starve liveness and other callers. Refusals are logged at most once per 10 s, with their count.
 */
export function limitConnections(server: Server, config: ProxyConfig, log: Logger): void {
  const { maxConnections, maxConnectionsPerAddress } = config.connections;
  server.maxConnections = maxConnections;
  const open = new Map<string, number>();
  const refusals = throttledWarning(log);
  server.on('drop', () => refusals.note('total', maxConnections));
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    // An address is gone only when the client already left.
    if (address === undefined) return void socket.destroy();
    const key = clientKey(address);
    const count = (open.get(key) ?? 0) + 1;
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    });
    if (count > maxConnectionsPerAddress) {
      refusals.note('per address', maxConnectionsPerAddress);
      socket.destroy();
    }
  });
}

/**
 * Who a connection counts against: its IPv4 address (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), or the /64 network of an IPv6 address, which one subscriber usually
 * holds whole.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` filled in, without a zone (`%eth0`). */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = (address.split('%')[0] ?? '').split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

function throttledWarning(log: Logger): { note(limit: string, value: number): void } {
  let lastWarned = -Infinity;
  let unreported = 0;
  return {
    note(limit, value) {
      unreported += 1;
      const now = performance.now();
      if (now - lastWarned < WARN_EVERY_MS) return;
      log.warn({ limit, max: value, refused: unreported }, `refused connections: over the ${limit} connection limit`);
      lastWarned = now;
      unreported = 0;
    },
  };
}
