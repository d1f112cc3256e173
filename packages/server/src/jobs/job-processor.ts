import { isCommandError, type Envelope, type ResponseBudget } from '@connector-proxy/sdk';
import type { Logger } from 'pino';
import type { CommandRegistry } from '../command-registry.js';
import { CallLogger } from '../command-logger.js';
import { runCommand } from '../command-runner.js';
import type { JobsConfig } from '../config.js';
import { errorReply, resultEnvelope } from '../envelope.js';
import { commandNotFound, internalError, isThirdPartyFailure } from '../errors.js';
import { backoffDelay } from './backoff.js';
import type { SharedResponseBudget } from '../response-budget.js';
import type { CallbackClient } from './callback-delivery.js';
import type { ActiveJob, JobOutcome, JobProcessor, JobState } from './job-store.js';

/** Statuses of a command failure that may pass if the command runs again later. */
const TRANSIENT_HTTP_STATUSES = new Set([429, 502, 503, 504]);

/** Hears each state a job enters (for metrics). */
export type OnJobTransition = (state: JobState) => void;

/** The state a job enters with each outcome: a delivery to retry stays `delivering`. */
const STATE_ENTERED: Readonly<Record<JobOutcome['kind'], JobState | undefined>> = {
  delivered: 'delivered',
  failed: 'failed',
  'run-later': 'accepted',
  'deliver-later': undefined,
};

/**
 * The work of one job, the same whichever store holds it: run the command once (unless a result
 * is already stored: then it only needs delivering), store the envelope, deliver it.
 */
export function createJobProcessor(registry: CommandRegistry, callbacks: CallbackClient, config: JobsConfig, log: Logger, onTransition: OnJobTransition, responseBudget: SharedResponseBudget): JobProcessor {
  const processJob = jobProcessor(registry, callbacks, config, log, onTransition);
  return async (job) => {
    // The result is held until it is stored and delivered (or the run is given up): only then
    // are the bytes the command read given back, whichever way the step ends.
    const budget = responseBudget.open();
    try {
      const outcome = await processJob(job, budget);
      const entered = STATE_ENTERED[outcome.kind];
      if (entered !== undefined) onTransition(entered);
      return outcome;
    } finally {
      budget.close();
    }
  };
}

/** The processor itself; it reports the transitions it makes inside a step (running, delivering). */
function jobProcessor(registry: CommandRegistry, callbacks: CallbackClient, config: JobsConfig, log: Logger, onTransition: OnJobTransition) {
  const backoff = { baseDelayMs: config.callbackBaseDelayMs, maxDelayMs: config.callbackMaxDelayMs };
  return async (job: ActiveJob, budget: ResponseBudget): Promise<JobOutcome> => {
    const jobLog = log.child({ job: job.id, command: job.payload.commandId });
    let envelope = job.result;
    if (envelope === undefined) {
      const ran = await runJobCommand(job, registry, config, jobLog, onTransition, budget);
      if (ran.kind === 'run-later') {
        return { kind: 'run-later', delayMs: backoffDelay(backoff, job.runs + 1), error: ran.error };
      }
      envelope = ran.envelope;
      await job.saveResult(envelope);
      onTransition('delivering');
    }
    const delivery = await callbacks.deliver(job.payload.callbackUrl, envelope, job.id);
    if (delivery.ok) {
      jobLog.info({ delivery_attempts: job.deliveryAttempts + 1 }, 'job result delivered');
      return { kind: 'delivered' };
    }
    return deliveryFailure(job, delivery.transient, delivery.error, config, backoffDelay(backoff, job.deliveryAttempts + 1), jobLog);
  };
}

type CommandRun = { kind: 'ran'; envelope: Envelope } | { kind: 'run-later'; error: string };

async function runJobCommand(job: ActiveJob, registry: CommandRegistry, config: JobsConfig, log: Logger, onTransition: OnJobTransition, budget: ResponseBudget): Promise<CommandRun> {
  const logger = new CallLogger(log);
  const entry = registry.get(job.payload.commandId);
  // The command may have gone between acceptance and now (a connector disabled at a restart).
  if (entry === undefined) return { kind: 'ran', envelope: errorReply(commandNotFound(job.payload.commandId), [], () => internalError(job.id)).envelope };
  await job.markRunning();
  onTransition('running');
  const { params, taskData, task, callbackUrl } = job.payload;
  try {
    const result = await runCommand(entry, { params, spiff: { taskData, task, callbackUrl }, timeoutMs: config.timeoutMs, responseBudget: budget }, logger);
    return { kind: 'ran', envelope: resultEnvelope(result, logger.lines) };
  } catch (error) {
    const runs = job.runs + 1;
    if (isCommandError(error) && entry.command.idempotent && runs < config.maxRuns && TRANSIENT_HTTP_STATUSES.has(error.httpStatus ?? 0)) {
      log.warn({ error_code: error.code, runs }, 'job command failed transiently; it will run again');
      return { kind: 'run-later', error: `${error.code}: ${error.message}` };
    }
    if (!isCommandError(error)) log.error({ err: error }, 'job command failed unexpectedly');
    else if (isThirdPartyFailure(error.code)) log.warn({ error_code: error.code, runs }, 'job command failed: its third party did');
    return { kind: 'ran', envelope: errorReply(error, logger.lines, () => internalError(job.id)).envelope };
  }
}

function deliveryFailure(job: ActiveJob, transient: boolean, error: string, config: JobsConfig, delayMs: number, log: Logger): JobOutcome {
  const attempts = job.deliveryAttempts + 1;
  const tooOld = Date.now() + delayMs - job.createdAt > config.callbackMaxAgeMs;
  if (!transient || attempts >= config.callbackMaxAttempts || tooOld) {
    log.error({ delivery_attempts: attempts, reason: error }, 'job result could not be delivered: job failed');
    return { kind: 'failed', error };
  }
  log.warn({ delivery_attempts: attempts, retry_in_ms: delayMs, reason: error }, 'job result delivery failed; will retry');
  return { kind: 'deliver-later', delayMs, error };
}
