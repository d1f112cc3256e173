import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCommandError, type CommandError } from '@connector-proxy/sdk';
import { errorReply } from './envelope.js';
import { internalError, invalidBody, payloadTooLarge, routeNotFound } from './errors.js';

/**
 * Errors raised by Fastify itself (a body too large, a Content-Type it cannot read), those of
 * the body parser, and unknown routes become envelopes like every other error; anything
 * unforeseen is a logged 500.
 */
export function installErrorHandlers(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = translate(error, maxBodyBytes);
    if (known === undefined) request.log.error({ err: error }, 'request failed unexpectedly');
    const answer = errorReply(known, [], () => internalError(request.id));
    return reply.code(answer.status).headers(answer.headers).send(answer.envelope);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = errorReply(routeNotFound(request.method, pathOf(request.url)), [], () => internalError(request.id));
    return reply.code(answer.status).send(answer.envelope);
  });
}

/**
 * Fastify's `frameworkErrors`: the router's refusals before any route or hook runs. A path that
 * is not valid percent-encoding, or with a part longer than the router reads (100 characters),
 * names nothing this proxy serves.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const unroutable = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  if (!unroutable) request.log.error({ err: error }, 'request failed unexpectedly');
  const answer = errorReply(unroutable ? routeNotFound(request.method, pathOf(request.url)) : error, [], () => internalError(request.id));
  void reply.code(answer.status).send(answer.envelope);
}

function translate(error: FastifyError, maxBodyBytes: number): CommandError | undefined {
  // The body parser's refusals (json-body.ts) are already envelopes' errors.
  if (isCommandError(error)) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return payloadTooLarge(maxBodyBytes);
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return invalidBody('has a Content-Type header that is not a media type; send application/json');
  if (error.statusCode === 400) return invalidBody(`could not be read (${error.message})`);
  return undefined;
}

function pathOf(url: string): string {
  return url.split('?')[0] ?? '';
}
