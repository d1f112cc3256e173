import { invalidParameters, type CommandResult } from '@connector-proxy/sdk';
import type { LogSink } from './command-logger.js';
import type { RegisteredCommand } from './command-registry.js';
import type { SpiffContext } from './command-runner.js';
import { jobStoreUnavailable } from './errors.js';
import { newJobId } from './jobs/job-id.js';
import type { JobSystem } from './jobs/job-system.js';

/**
 * Stores a background call as a job and describes it for the 202 answer. Nothing runs here:
 * the job's worker starts once the job is durable.
 */
export async function acceptJob(jobs: JobSystem, entry: RegisteredCommand, params: Record<string, unknown>, spiff: SpiffContext, log: Pick<LogSink, 'error'>): Promise<CommandResult> {
  const callbackUrl = checkedCallbackUrl(spiff.callbackUrl);
  await jobs.checkCallbackUrl(callbackUrl);
  const id = newJobId();
  try {
    await jobs.accept(id, { commandId: entry.id, params, taskData: spiff.taskData, task: spiff.task, callbackUrl });
  } catch (error) {
    log.error({ err: error, command: entry.id }, 'job store failed: job not accepted');
    throw jobStoreUnavailable();
  }
  return { body: { job_id: id, state: 'accepted', status_url: `/v1/jobs/${id}` } };
}

function checkedCallbackUrl(callbackUrl: string | undefined): string {
  const problem = callbackUrl === undefined ? 'is required to run a command in the background' : callbackProblem(callbackUrl);
  if (problem !== undefined) throw invalidParameters([{ parameter: 'spiff__callback_url', message: problem }]);
  return callbackUrl as string;
}

function callbackProblem(callbackUrl: string): string | undefined {
  try {
    const { protocol } = new URL(callbackUrl);
    return protocol === 'http:' || protocol === 'https:' ? undefined : 'must be an http: or https: URL';
  } catch {
    return 'must be an absolute http: or https: URL';
  }
}
