import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { errorReply } from './envelope.js';
import { unauthorized } from './errors.js';

export const API_KEY_HEADER = 'spiff-connector-proxy-api-key';

/** Paths a load balancer or the engine's health check reach without a key. */
const OPEN_PATHS = new Set(['/', '/liveness', '/v1/liveness']);
/** SpiffArena's backend calls typeahead without a key (its data is for anyone who reaches the proxy). */
const OPEN_PATH_PREFIXES = ['/v1/typeahead/'];

/**
 * Requires the configured key on every path but liveness, typeahead and CORS preflight: checked
 * before routing, so an unknown command without a key is a 401 and reveals nothing.
 */
export function apiKeyGuard(key: string): onRequestHookHandler {
  // Digests have one length whatever was sent, so the comparison takes the same time.
  const expected = digest(key);
  const refusal = errorReply(unauthorized(), [], unauthorized);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.method === 'OPTIONS' || isOpenPath(pathOf(request.url))) return done();
    const sent = request.headers[API_KEY_HEADER];
    if (typeof sent === 'string' && timingSafeEqual(digest(sent), expected)) return done();
    request.log.info({ method: request.method, path: pathOf(request.url) }, 'refused: missing or wrong API key');
    void reply.code(refusal.status).send(refusal.envelope);
  };
}

function isOpenPath(path: string): boolean {
  return OPEN_PATHS.has(path) || OPEN_PATH_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A request URL's path, without its query. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
