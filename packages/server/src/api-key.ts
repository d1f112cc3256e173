import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { errorReply } from './envelope.js';
import { unauthorized } from './errors.js';

export const API_KEY_HEADER = 'spiff-connector-proxy-api-key';

/**
 * Paths a load balancer or the engine's health check reach without a key, and the explorer's
 * static page and files (the calls the page makes carry the key).
 */
const OPEN_PATHS = new Set(['/', '/liveness', '/v1/liveness', '/readyz', '/explorer']);
const OPEN_PREFIX = '/explorer/';

/**
 * Requires the configured key on every path but liveness and CORS preflight: checked before
 * routing, so an unknown command without a key is a 401 and reveals nothing.
 */
export function apiKeyGuard(key: string): onRequestHookHandler {
  // Digests have one length whatever was sent, so the comparison takes the same time.
  const expected = digest(key);
  const refusal = errorReply(unauthorized(), [], unauthorized);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const path = pathOf(request.url);
    if (request.method === 'OPTIONS' || OPEN_PATHS.has(path) || path.startsWith(OPEN_PREFIX)) return done();
    const sent = request.headers[API_KEY_HEADER];
    if (typeof sent === 'string' && timingSafeEqual(digest(sent), expected)) return done();
    request.log.info({ method: request.method, path }, 'refused: missing or wrong API key');
    void reply.code(refusal.status).send(refusal.envelope);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A request URL's path, without its query. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
