import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { errorReply } from './envelope.js';
import { unauthorized } from './errors.js';

export const API_KEY_HEADER = 'spiff-connector-proxy-api-key';

/**
 * Paths a load balancer or the engine's health check reach without a key, and the explorer's
 * static page (the calls the page makes carry the key).
 */
const OPEN_PATHS = new Set(['/', '/liveness', '/v1/liveness', '/readyz', '/explorer']);
/**
 * Paths outside the key by prefix: the explorer's files; OAuth's browser routes (a browser
 * following a link cannot send it; routes/oauth.ts says what protects them); typeahead
 * (SpiffArena's backend calls it without a key: its data is for anyone who reaches the proxy).
 */
const OPEN_PATH_PREFIXES = ['/explorer/', '/v1/auth/', '/v1/typeahead/'];

/** Answers 401 to a request without the key and says true; says false (and answers nothing) to one that may go on. */
export type KeyRefusal = (request: FastifyRequest, reply: FastifyReply) => boolean;

/**
 * The check of the configured key. Every path needs it but liveness, typeahead, OAuth's browser
 * routes and CORS preflight, whatever its shape: it runs before routing (see {@link apiKeyGuard})
 * and before the router's own refusals (a path that is not valid percent-encoding, a path part
 * over the router's length: see error-handler.ts), so an unknown or malformed path without a key
 * is a 401 and reveals nothing.
 */
export function refuseWithoutKey(key: string): KeyRefusal {
  const carriesKey = keyCheck(key);
  const refusal = errorReply(unauthorized(), [], unauthorized);
  return (request, reply) => {
    const path = pathOf(request.url);
    if (request.method === 'OPTIONS' || isOpenPath(path)) return false;
    if (carriesKey(request.headers)) return false;
    request.log.info({ method: request.method, path }, 'refused: missing or wrong API key');
    void reply.code(refusal.status).send(refusal.envelope);
    return true;
  };
}

/** Whether a request's headers carry the configured key (also the lean path's check, lean-do-path.ts). */
export function keyCheck(key: string): (headers: IncomingHttpHeaders) => boolean {
  // Digests have one length whatever was sent, so the comparison takes the same time.
  const expected = digest(key);
  return (headers) => {
    const sent = headers[API_KEY_HEADER];
    return typeof sent === 'string' && timingSafeEqual(digest(sent), expected);
  };
}

/** The `onRequest` hook that requires the key on every routed request (see {@link refuseWithoutKey}). */
export function apiKeyGuard(refuse: KeyRefusal): onRequestHookHandler {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!refuse(request, reply)) done();
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
