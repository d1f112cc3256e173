import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isCommandError, type Envelope } from '@connector-proxy/sdk';
import type { CommandRegistry } from '../command-registry.js';
import { CallLogger } from '../command-logger.js';
import type { ProxyConfig } from '../config.js';
import { runCommand, spiffContext } from '../command-runner.js';
import { acceptJob } from '../job-acceptance.js';
import type { JobSystem } from '../jobs/job-system.js';
import { errorReply, resultEnvelope } from '../envelope.js';
import { sendEnvelope } from '../envelope-reply.js';
import { commandNotFound, internalError, invalidBody, tooManyCalls } from '../errors.js';
import type { CallOutcome, ProxyMetrics } from '../metrics.js';
import type { CallResponseBudget, SharedResponseBudget } from '../response-budget.js';

interface DoParams {
  connector: string;
  command: string;
}

type CallLimits = Pick<ProxyConfig, 'commandTimeoutMs' | 'maxInflight'>;

/**
 * `POST /v1/do/{connector}/{command}`: find, check, run, answer in a version-2 envelope. At most
 * `maxInflight` calls are handled at once; beyond that a call is answered 503 `too_many_calls`.
 */
export function doCommandRoute(app: FastifyInstance, registry: CommandRegistry, jobs: JobSystem, metrics: ProxyMetrics, limits: CallLimits, responseBudget: SharedResponseBudget): void {
  // Counted here rather than in response hooks: a call whose client went away still runs its
  // command to the end, and that work is what the limit bounds.
  let inFlight = 0;
  metrics.observeCallsInFlight(() => inFlight);
  // Made once: under overload a refusal should cost as little as possible.
  const overloaded = tooManyCalls(limits.maxInflight);
  app.post<{ Params: DoParams }>('/v1/do/:connector/:command', async (request, reply) => {
    const id = `${request.params.connector}/${request.params.command}`;
    const started = performance.now();
    const logger = new CallLogger(request.log);
    if (inFlight >= limits.maxInflight) return replyWithError(request, reply, metrics, id, started, overloaded, logger);
    inFlight += 1;
    const budget = responseBudget.open();
    try {
      const entry = registry.get(id);
      if (entry === undefined) throw commandNotFound(id);
      const body = request.body;
      if (!isJsonObject(body)) throw invalidBody("must be a JSON object of the command's parameters");
      const { params, runAsync } = entry.prepare(body);
      const spiff = spiffContext(body);
      if (runAsync) {
        const accepted = resultEnvelope(await acceptJob(jobs, entry, params, spiff, request.log), logger.lines);
        logCall(request, metrics, id, started, 202, accepted);
        return sendEnvelope(reply, 202, accepted);
      }
      const envelope = resultEnvelope(await runCommand(entry, { params, spiff, timeoutMs: limits.commandTimeoutMs, responseBudget: budget }, logger), logger.lines);
      logCall(request, metrics, id, started, 200, envelope);
      return sendEnvelope(reply, 200, envelope);
    } catch (error) {
      return replyWithError(request, reply, metrics, id, started, error, logger);
    } finally {
      inFlight -= 1;
      closeWhenAnswered(reply, budget);
    }
  });
}

/**
 * Gives the call's share of the response budget back once its answer has left for the client,
 * or the client has gone: until then the envelope being written holds the bytes.
 */
function closeWhenAnswered(reply: FastifyReply, budget: CallResponseBudget): void {
  const response = reply.raw;
  if (budget.heldBytes === 0 || response.destroyed) return budget.close();
  response.once('close', () => budget.close());
}

function replyWithError(request: FastifyRequest, reply: FastifyReply, metrics: ProxyMetrics, id: string, started: number, error: unknown, logger: CallLogger): FastifyReply {
  if (!isCommandError(error)) request.log.error({ err: error, command: id }, 'command failed unexpectedly');
  const answer = errorReply(error, logger.lines, () => internalError(request.id));
  logCall(request, metrics, id, started, answer.status, answer.envelope);
  return sendEnvelope(reply.headers(answer.headers), answer.status, answer.envelope);
}

/** The one record of each call, its log line and its metrics, made from the same values: which command, how long, how it ended. */
function logCall(request: FastifyRequest, metrics: ProxyMetrics, command: string, started: number, status: number, envelope: Envelope): void {
  const durationMs = performance.now() - started;
  const errorCode = envelope.error?.error_code;
  const outcome: CallOutcome = errorCode !== undefined ? 'error' : status === 202 ? 'accepted' : 'ok';
  metrics.recordCall(command, outcome, durationMs / 1000, errorCode);
  // Asked first so that a call costs nothing for its line when the level is above info. The
  // request's logger is a pino child (app.ts gives Fastify a pino logger), whatever Fastify's type says.
  if (!(request.log as Logger).isLevelEnabled('info')) return;
  request.log.info(
    {
      command,
      duration_ms: Math.round(durationMs * 100) / 100,
      outcome,
      status,
      http_status: envelope.command_response.http_status,
      error_code: errorCode,
    },
    'command call',
  );
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
