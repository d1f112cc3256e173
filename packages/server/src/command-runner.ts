import type { CommandError, CommandResult, ResponseBudget, TaskReference } from '@connector-proxy/sdk';
import type { RegisteredCommand } from './command-registry.js';
import { CallLogger } from './command-logger.js';
import { commandTimeout } from './errors.js';

/** The `spiff__*` keys of a call: engine context, never parameters. */
export interface SpiffContext {
  taskData: unknown;
  task: TaskReference;
  callbackUrl: string | undefined;
}

/** Reads the engine's `spiff__*` keys from a call's body. */
export function spiffContext(body: Record<string, unknown>): SpiffContext {
  const callbackUrl = body.spiff__callback_url;
  return {
    taskData: body.spiff__task_data,
    task: {
      processInstanceId: body.spiff__process_instance_id as TaskReference['processInstanceId'],
      processModelIdentifier: body.spiff__process_model_identifier as string | undefined,
      taskId: body.spiff__task_id as string | undefined,
    },
    callbackUrl: typeof callbackUrl === 'string' ? callbackUrl : undefined,
  };
}

/** How long a command may take to report its own error once its deadline has passed. */
const ABORT_GRACE_MS = 1000;

export interface RunOptions {
  params: Record<string, unknown>;
  spiff: SpiffContext;
  timeoutMs: number;
  /** The call's share of the bytes of third parties' answers; the caller closes it once the envelope is written or dropped. */
  responseBudget: ResponseBudget;
}

/**
 * Runs a command with its context and a deadline. A command that ignores its `AbortSignal`
 * still cannot hold the call much past the deadline: it is answered `command_timeout` then.
 */
export function runCommand(entry: RegisteredCommand, options: RunOptions, logger: CallLogger): Promise<CommandResult> {
  const { id, command } = entry;
  const { timeoutMs } = options;
  // Emptied once the command has it: a closure below that kept it would keep the call's
  // parameters (a POST's parsed body: thousands of objects) alive until the answer, and objects
  // alive across a collection are what makes the garbage collector's work per call.
  let params: Record<string, unknown> | undefined = options.params;
  const deadline = Date.now() + timeoutMs;
  // The AbortController behind `signal` is made only when the command asks for it: most calls
  // finish without, and an AbortSignal (an EventTarget) costs more per call than the rest of the
  // runner together. It is aborted at the deadline, or made aborted when asked for after it.
  let controller: AbortController | undefined;
  let expiredWith: CommandError | undefined;
  const context = {
    commandId: id,
    config: entry.config,
    get signal(): AbortSignal {
      if (controller === undefined) {
        controller = new AbortController();
        if (expiredWith !== undefined) controller.abort(expiredWith);
      }
      return controller.signal;
    },
    deadline,
    log: logger,
    taskData: options.spiff.taskData,
    task: options.spiff.task,
    callbackUrl: options.spiff.callbackUrl,
    responseBudget: options.responseBudget,
  };
  return new Promise<CommandResult>((resolve, reject) => {
    // One timer a call, one promise settled by whichever comes first (no Promise.race, no
    // second promise): at the deadline the command is told to stop, and the timer, set again,
    // gives it a short grace to report its own, more precise error (say, which upstream timed
    // out) before the proxy answers for it. The error is made only then: an Error costs a stack trace.
    let timer = setTimeout(() => {
      expiredWith = commandTimeout(id, timeoutMs);
      controller?.abort(expiredWith);
      timer = setTimeout(() => reject(expiredWith), ABORT_GRACE_MS);
    }, timeoutMs);
    const settled = (): void => clearTimeout(timer);
    // Started here, in the executor once the timer is set, not before the promise: started
    // before it (tried), 100 KB answers cost a full collection every ~300 calls instead of every
    // ~4,000 (their bytes, outside the heap, freed by full collections only) and 12 % of their
    // calls/s (npm run bench:gc -- --only large). Why V8 treats the two orders so differently
    // was not found; the measurement is what keeps this order.
    let running: Promise<CommandResult>;
    try {
      running = command.run(params as Record<string, unknown>, context);
    } catch (error) {
      settled();
      return reject(error);
    } finally {
      params = undefined;
    }
    // Promise.resolve: a connector written in plain JavaScript may answer without a promise.
    Promise.resolve(running).then(
      (result) => {
        settled();
        resolve(result);
      },
      (error: unknown) => {
        settled();
        reject(error);
      },
    );
  });
}
