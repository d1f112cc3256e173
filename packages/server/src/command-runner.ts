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
export async function runCommand(entry: RegisteredCommand, options: RunOptions, logger: CallLogger): Promise<CommandResult> {
  const deadline = Date.now() + options.timeoutMs;
  // The AbortController behind `signal` is made only when the command asks for it: most calls
  // finish without, and an AbortSignal (an EventTarget) costs more per call than the rest of the
  // runner together. It is aborted at the deadline, or made aborted when asked for after it.
  let controller: AbortController | undefined;
  let expiredWith: CommandError | undefined;
  let abortTimer: NodeJS.Timeout | undefined;
  let answerTimer: NodeJS.Timeout | undefined;
  // At the deadline the command is told to stop; it then has a short grace to report its own,
  // more precise error (say, which upstream timed out) before the proxy answers for it. The
  // error is made only then: an Error costs a stack trace.
  const expired = new Promise<never>((_, reject) => {
    abortTimer = setTimeout(() => {
      expiredWith = commandTimeout(entry.id, options.timeoutMs);
      controller?.abort(expiredWith);
    }, options.timeoutMs);
    answerTimer = setTimeout(() => reject(expiredWith), options.timeoutMs + ABORT_GRACE_MS);
  });
  try {
    const running = entry.command.run(options.params, {
      commandId: entry.id,
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
    });
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(answerTimer);
  }
}
