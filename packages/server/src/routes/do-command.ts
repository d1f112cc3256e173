import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCommandError } from '@connector-proxy/sdk';
import type { CommandRegistry } from '../command-registry.js';
import { CallLogger } from '../command-logger.js';
import { runCommand, spiffContext } from '../command-runner.js';
import { errorReply, resultEnvelope } from '../envelope.js';
import { commandNotFound, internalError, invalidBody } from '../errors.js';

interface DoParams {
  connector: string;
  command: string;
}

/** `POST /v1/do/{connector}/{command}`: find, check, run, answer in a version-2 envelope. */
export function doCommandRoute(app: FastifyInstance, registry: CommandRegistry, timeoutMs: number): void {
  app.post<{ Params: DoParams }>('/v1/do/:connector/:command', async (request, reply) => {
    const id = `${request.params.connector}/${request.params.command}`;
    const started = performance.now();
    const logger = new CallLogger(request.log);
    try {
      const entry = registry.get(id);
      if (entry === undefined) throw commandNotFound(id);
      const body = request.body;
      if (!isJsonObject(body)) throw invalidBody("must be a JSON object of the command's parameters");
      const params = entry.validate(body);
      const result = await runCommand(entry, { params, spiff: spiffContext(body), timeoutMs }, logger);
      const envelope = resultEnvelope(result, logger.lines);
      logCall(request, id, started, 200, envelope.command_response.http_status, undefined);
      return reply.send(envelope);
    } catch (error) {
      return replyWithError(request, reply, id, started, error, logger);
    }
  });
}

function replyWithError(request: FastifyRequest, reply: FastifyReply, id: string, started: number, error: unknown, logger: CallLogger): FastifyReply {
  if (!isCommandError(error)) request.log.error({ err: error, command: id }, 'command failed unexpectedly');
  const answer = errorReply(error, logger.lines, () => internalError(request.id));
  logCall(request, id, started, answer.status, answer.envelope.command_response.http_status, answer.envelope.error?.error_code);
  return reply.code(answer.status).headers(answer.headers).send(answer.envelope);
}

/** The one log line per call: which command, how long, how it ended. */
function logCall(request: FastifyRequest, command: string, started: number, status: number, httpStatus: number | undefined, errorCode: string | undefined): void {
  request.log.info(
    {
      command,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      outcome: errorCode === undefined ? 'ok' : 'error',
      status,
      http_status: httpStatus,
      error_code: errorCode,
    },
    'command call',
  );
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
