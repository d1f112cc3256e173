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
  const { id } = entry;
  const { timeoutMs } = options;
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
  // Started here, outside every closure below: a closure that named `options` would keep the
  // call's parameters (a POST's parsed body: thousands of objects) alive until the answer, and
  // objects alive across the wait are what makes the garbage collector's work per call.
  let running: Promise<CommandResult>;
  try {
    // Promise.resolve: a connector written in plain JavaScript may answer without a promise.
    running = Promise.resolve(entry.command.run(options.params, context));
  } catch (error) {
    return Promise.reject(error as Error);
  }
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
    running.then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
