import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CommandCalls } from '../command-calls.js';
import { closeWhenAnswered, sendEnvelope } from '../envelope-reply.js';

interface DoParams {
  connector: string;
  command: string;
}

/**
 * `POST /v1/do/{connector}/{command}` through Fastify: every call the lean path
 * (lean-do-path.ts) leaves, answered by the same {@link CommandCalls}.
 */
export function doCommandRoute(app: FastifyInstance, calls: CommandCalls): void {
  app.post<{ Params: DoParams }>('/v1/do/:connector/:command', async (request, reply) => {
    // The request's logger is a pino child (app.ts gives Fastify a pino logger), whatever Fastify's type says.
    const log = request.log as Logger;
    const answer = await calls.answer(`${request.params.connector}/${request.params.command}`, request.body, request.id, log);
    sendEnvelope(reply.headers(answer.headers), answer.status, answer.envelope);
    closeWhenAnswered(reply.raw, answer.budget);
    return reply;
  });
}
