import { isCommandError, type CommandResult, type Envelope } from '@connector-proxy/sdk';
import type { CommandRegistry } from './command-registry.js';
import { CallLogger, type LogSink } from './command-logger.js';
import type { ProxyConfig } from './config.js';
import { runCommand, spiffContext } from './command-runner.js';
import { acceptJob } from './job-acceptance.js';
import type { JobSystem } from './jobs/job-system.js';
import { errorReply, resultEnvelope } from './envelope.js';
import { commandNotFound, internalError, invalidBody, isThirdPartyFailure, tooManyCalls } from './errors.js';
import type { CallOutcome, ProxyMetrics } from './metrics.js';
import type { CallResponseBudget, SharedResponseBudget } from './response-budget.js';

/** The part of a request's logger a call writes to: a pino child carrying the request id, or what stands for one. */
export type CallLog = LogSink & { isLevelEnabled(level: 'info' | 'warn'): boolean };

/** How a call is answered, whichever HTTP layer writes it. */
export interface CallAnswer {
  status: number;
  headers: Record<string, string>;
  envelope: Envelope;
  /** The call's share of the response budget, to close once the envelope is written or dropped; none for a refused call. */
  budget: CallResponseBudget | undefined;
}

type CallLimits = Pick<ProxyConfig, 'commandTimeoutMs' | 'maxInflight'>;

/** One call's own things, from its arrival to its answer. */
interface CallState {
  readonly id: string;
  readonly started: number;
  readonly logger: CallLogger;
  readonly requestId: string;
  readonly log: CallLog;
  /** The call's share of the response budget; none for a call refused before it was counted. */
  budget: CallResponseBudget | undefined;
}

/** An answer's headers when it has none of its own (a successful call's). */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `POST /v1/do/{connector}/{command}` without its HTTP: find, check, run, make the version-2
 * envelope, and record the call (its log line and metrics). At most `maxInflight` calls are
 * handled at once; beyond that a call is answered 503 `too_many_calls`. Made once at start;
 * the Fastify route (routes/do-command.ts) and the lean path (lean-do-path.ts) both answer with it.
 */
export class CommandCalls {
  // Counted here rather than in response hooks: a call whose client went away still runs its
  // command to the end, and that work is what the limit bounds.
  private inFlight = 0;
  // Made once: under overload a refusal should cost as little as possible.
  private readonly overloaded;

  constructor(
    private readonly registry: CommandRegistry,
    private readonly jobs: JobSystem,
    private readonly metrics: ProxyMetrics,
    private readonly limits: CallLimits,
    private readonly responseBudget: SharedResponseBudget,
  ) {
    this.overloaded = tooManyCalls(limits.maxInflight);
    metrics.observeCallsInFlight(() => this.inFlight);
  }

  /**
   * Answers the call of command `id` whose parsed body is `body`; never rejects. Not an async
   * function, on purpose: an async function keeps its parameters and locals alive until it
   * returns, and the body (a POST's data can be thousands of objects) must not outlive the
   * moment the command has what it needs. The checks run here; only the wait is async ({@link settle}).
   */
  answer(id: string, body: unknown, requestId: string, log: CallLog): Promise<CallAnswer> {
    const call: CallState = { id, started: performance.now(), logger: new CallLogger(log), requestId, log, budget: undefined };
    if (this.inFlight >= this.limits.maxInflight) return Promise.resolve(this.failed(call, this.overloaded));
    this.inFlight += 1;
    call.budget = this.responseBudget.open();
    let running: Promise<CommandResult>;
    let status: 200 | 202;
    try {
      const entry = this.registry.get(id);
      if (entry === undefined) throw commandNotFound(id);
      if (!isJsonObject(body)) throw invalidBody("must be a JSON object of the command's parameters");
      const { params, runAsync } = entry.prepare(body);
      const spiff = spiffContext(body);
      status = runAsync ? 202 : 200;
      running = runAsync
        ? acceptJob(this.jobs, entry, params, spiff, log)
        : runCommand(entry, { params, spiff, timeoutMs: this.limits.commandTimeoutMs, responseBudget: call.budget }, call.logger);
    } catch (error) {
      this.inFlight -= 1;
      return Promise.resolve(this.failed(call, error));
    }
    return this.settle(call, status, running);
  }

  /** Waits for the command (or the job's acceptance) and makes the answer. */
  private async settle(call: CallState, status: 200 | 202, running: Promise<CommandResult>): Promise<CallAnswer> {
    try {
      const envelope = resultEnvelope(await running, call.logger.lines);
      this.record(call, status, envelope);
      return { status, headers: NO_HEADERS, envelope, budget: call.budget };
    } catch (error) {
      return this.failed(call, error);
    } finally {
      this.inFlight -= 1;
    }
  }

  private failed(call: CallState, error: unknown): CallAnswer {
    if (!isCommandError(error)) call.log.error({ err: error, command: call.id }, 'command failed unexpectedly');
    const answer = errorReply(error, call.logger.lines, () => internalError(call.requestId));
    this.record(call, answer.status, answer.envelope, isCommandError(error) ? error.parameters : undefined);
    return { ...answer, budget: call.budget };
  }

  /**
   * The one record of each call, its log line and its metrics, made from the same values: which
   * command, how long, how it ended, and for bad parameters which ones (by name: a value may be a secret).
   */
  private record({ log, id: command, started }: CallState, status: number, envelope: Envelope, parameters?: readonly string[]): void {
    const durationMs = performance.now() - started;
    const errorCode = envelope.error?.error_code;
    const outcome: CallOutcome = errorCode !== undefined ? 'error' : status === 202 ? 'accepted' : 'ok';
    this.metrics.recordCall(command, outcome, durationMs / 1000, errorCode);
    const level = callLogLevel(errorCode);
    // Asked first so that a call costs nothing for its line when the level is above its own.
    if (!log.isLevelEnabled(level)) return;
    log[level](
      {
        command,
        duration_ms: Math.round(durationMs * 100) / 100,
        outcome,
        status,
        http_status: envelope.command_response.http_status,
        error_code: errorCode,
        parameters,
      },
      'command call',
    );
  }
}

/**
 * A third party's failure is worth an operator's look, and a warning says so; the proxy's own
 * answers to a caller's mistake (`invalid_parameters`) and successes are ordinary calls.
 */
function callLogLevel(errorCode: string | undefined): 'info' | 'warn' {
  return errorCode !== undefined && isThirdPartyFailure(errorCode) ? 'warn' : 'info';
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
