import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCommandError, type CommandError } from '@connector-proxy/sdk';
import { pathOf, type KeyRefusal } from './api-key.js';
import { errorReply } from './envelope.js';
import { internalError, invalidBody, payloadTooLarge, routeNotFound, unsupportedMediaType } from './errors.js';

/**
 * Errors raised by Fastify itself (a body too large, a Content-Type that is not JSON), those of
 * the body parser, and unknown routes become envelopes like every other error; anything
 * unforeseen is a logged 500.
 */
export function installErrorHandlers(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = translate(error, maxBodyBytes);
    if (known === undefined) request.log.error({ err: error }, 'request failed unexpectedly');
    return sendError(reply, known, request.id);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, routeNotFound(request.method, pathOf(request.url)), request.id));
}

/**
 * Answers with the error's status, headers and envelope; anything that is not a command error
 * is answered as a bug (`internal_error` naming the request id).
 */
export function sendError(reply: FastifyReply, error: unknown, requestId: string): FastifyReply {
  const answer = errorReply(error, [], () => internalError(requestId));
  return reply.code(answer.status).headers(answer.headers).send(answer.envelope);
}

/**
 * Fastify's `frameworkErrors`: the router's refusals before any route or hook runs. A path that
 * is not valid percent-encoding, or with a part longer than the router reads (100 characters),
 * names nothing this proxy serves. The `onRequest` hooks have not run for such a path, so the
 * API key (when one is configured) is checked here first: without it the answer is the same
 * 401 as for any other path.
 */
export function frameworkErrorHandler(refuseWithoutKey: KeyRefusal | undefined): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    if (refuseWithoutKey?.(request, reply) === true) return;
    const unroutable = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    if (!unroutable) request.log.error({ err: error }, 'request failed unexpectedly');
    void sendError(reply, unroutable ? routeNotFound(request.method, pathOf(request.url)) : error, request.id);
  };
}

function translate(error: FastifyError, maxBodyBytes: number): CommandError | undefined {
  // The body parser's refusals (json-body.ts) are already envelopes' errors.
  if (isCommandError(error)) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return payloadTooLarge(maxBodyBytes);
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType();
  if (error.statusCode === 400) return invalidBody(`could not be read (${error.message})`);
  return undefined;
}
