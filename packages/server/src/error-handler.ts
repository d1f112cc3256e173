import type { FastifyError, FastifyInstance } from 'fastify';
import type { CommandError } from '@connector-proxy/sdk';
import { errorReply } from './envelope.js';
import { internalError, invalidBody, payloadTooLarge, routeNotFound } from './errors.js';

/**
 * Errors raised by Fastify itself (a body too large, JSON that does not parse) and unknown
 * routes become envelopes like every other error; anything unforeseen is a logged 500.
 */
export function installErrorHandlers(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = translate(error, maxBodyBytes);
    if (known === undefined) request.log.error({ err: error }, 'request failed unexpectedly');
    const answer = errorReply(known, [], () => internalError(request.id));
    return reply.code(answer.status).headers(answer.headers).send(answer.envelope);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = errorReply(routeNotFound(request.method, request.url.split('?')[0] ?? ''), [], () => internalError(request.id));
    return reply.code(answer.status).send(answer.envelope);
  });
}

function translate(error: FastifyError, maxBodyBytes: number): CommandError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return payloadTooLarge(maxBodyBytes);
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalidBody('is empty; send a JSON object of the command\'s parameters');
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return invalidBody('is not valid JSON');
  if (error.statusCode === 400) return invalidBody(`could not be read (${error.message})`);
  return undefined;
}
