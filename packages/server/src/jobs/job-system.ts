import type { EgressPolicy } from '@connector-proxy/sdk';
import type { Logger } from 'pino';
import type { CommandRegistry } from '../command-registry.js';
import type { ProxyConfig } from '../config.js';
import { CallbackClient } from './callback-delivery.js';
import { callbackUrlChecker } from './callback-url-check.js';
import { createJobProcessor, type OnJobTransition } from './job-processor.js';
import type { JobPayload, JobQuery, JobStatus, JobStore } from './job-store.js';
import { JobSlots } from './job-slots.js';
import { SecretBox } from './secret-box.js';
import type { SharedResponseBudget } from '../response-budget.js';
import { SqliteJobStore } from './sqlite-job-store.js';

/** Background jobs as the rest of the proxy sees them: accept one, ask how it is doing. */
export interface JobSystem {
  /** Refuses (400 `callback_url_denied`) a callback URL outside `CONNECTOR_PROXY_CALLBACK_ORIGINS`, or one the egress policy would never let a delivery reach. */
  checkCallbackUrl(callbackUrl: string): Promise<void>;
  accept(id: string, payload: JobPayload): Promise<void>;
  status(id: string): Promise<JobStatus | undefined>;
  /** The newest jobs first (`GET /v1/jobs`). */
  list(query: JobQuery): Promise<JobStatus[]>;
  /** Resolves when the job store answers (`GET /readyz`). */
  ping(): Promise<void>;
  /** Stops taking jobs, gives running ones `graceMs`, releases connections. */
  close(graceMs: number): Promise<void>;
}

/**
 * Chooses the store (Redis when `CONNECTOR_PROXY_QUEUE_URL` is set, else SQLite under
 * `CONNECTOR_PROXY_DATA_DIR`) and starts its worker. `onTransition` hears each state a job
 * enters in this process.
 */
export async function startJobSystem(config: ProxyConfig, registry: CommandRegistry, egress: EgressPolicy, log: Logger, onTransition: OnJobTransition, responseBudget: SharedResponseBudget): Promise<JobSystem> {
  const jobs = config.jobs;
  const box = SecretBox.withKey(jobs.secretKey);
  const jobLog = log.child({ component: 'jobs' });
  if (jobs.callbackApiKey === undefined && offersBackgroundCommands(registry)) {
    jobLog.warn('CONNECTOR_PROXY_CALLBACK_API_KEY is not set: SpiffArena will refuse the callbacks of background jobs (401 invalid_token); set it to a SpiffArena service account\'s API key');
  }
  const slots = new JobSlots(jobs.concurrency, jobs.slowAfterMs);
  const store: JobStore = jobs.queueUrl === undefined
    ? new SqliteJobStore(jobs.dataDir, box, slots, jobLog)
    : await connectRedisStore(jobs.queueUrl, box, slots, jobLog);
  const callbacks = new CallbackClient(jobs.callbackTimeoutMs, egress, jobs.callbackApiKey === undefined ? undefined : { key: jobs.callbackApiKey, origins: jobs.callbackOrigins ?? [] });
  store.start(createJobProcessor(registry, callbacks, jobs, jobLog, onTransition, responseBudget));
  return {
    checkCallbackUrl: callbackUrlChecker(egress, jobs.callbackOrigins),
    async accept(id, payload) {
      await store.add(id, payload);
      onTransition('accepted');
    },
    status: (id) => store.status(id),
    list: (query) => store.list(query),
    ping: () => store.ping(),
    async close(graceMs) {
      await store.close(graceMs);
      await callbacks.close();
    },
  };
}

function offersBackgroundCommands(registry: CommandRegistry): boolean {
  return [...registry.ids].some((id) => registry.get(id)?.command.asynchronous !== 'never');
}

/** BullMQ and ioredis are loaded only by a proxy configured with a queue: the rest never pay for them. */
async function connectRedisStore(url: string, box: SecretBox, slots: JobSlots, log: Logger): Promise<JobStore> {
  const { RedisJobStore } = await import('./redis-job-store.js');
  return RedisJobStore.connect(url, box, slots, log);
}
