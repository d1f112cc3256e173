import type { CommandResult, TaskReference } from '@connector-proxy/sdk';
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

export interface RunOptions {
  params: Record<string, unknown>;
  spiff: SpiffContext;
  timeoutMs: number;
}

/**
 * Runs a command with its context and a deadline. A command that ignores its `AbortSignal`
 * still cannot hold the call past the deadline: the call is answered `command_timeout` then.
 */
export async function runCommand(entry: RegisteredCommand, options: RunOptions, logger: CallLogger): Promise<CommandResult> {
  const controller = new AbortController();
  const deadline = Date.now() + options.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = commandTimeout(entry.id, options.timeoutMs);
      controller.abort(error);
      reject(error);
    }, options.timeoutMs);
  });
  try {
    const running = entry.command.run(options.params, {
      commandId: entry.id,
      config: entry.config,
      signal: controller.signal,
      deadline,
      log: logger,
      taskData: options.spiff.taskData,
      task: options.spiff.task,
      callbackUrl: options.spiff.callbackUrl,
    });
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
