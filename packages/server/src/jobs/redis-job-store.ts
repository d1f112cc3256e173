import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, Queue, Worker, type Job, type RedisOptions } from 'bullmq';
import { configurationError, redactUrl, type Envelope } from '@connector-proxy/sdk';
import type { Logger } from 'pino';
import { isRetry, jobStatus, type ActiveJob, type JobOutcome, type JobPayload, type JobProcessor, type JobQuery, type JobState, type JobStatus, type JobStore } from './job-store.js';
import type { JobSlots } from './job-slots.js';
import type { SecretBox } from './secret-box.js';

/** What a BullMQ job holds: the job's whole record, so any process can resume it. */
interface JobData {
  command: string;
  /** The sealed {@link JobPayload}. */
  payload: string;
  state: JobState;
  runs: number;
  deliveryAttempts: number;
  lastError: string | null;
  /** The sealed envelope, once the command has run. */
  result: string | null;
  createdAt: number;
  updatedAt: number;
  /** When the command first started; absent in jobs stored by earlier versions. */
  startedAt?: number | null;
}

type QueueJob = Job<JobData, void>;

/** One fixed name: every proxy on the same Redis database shares the same jobs. */
const QUEUE_NAME = 'connector-proxy-jobs';

/** Finished jobs stay visible to `GET /v1/jobs/{id}` for a week (BullMQ counts in seconds). */
const KEEP_FINISHED = { age: 7 * 24 * 3600 };

/**
 * Takeover of a dead process's jobs: its locks (renewed every `LOCK_DURATION_MS / 2` while it
 * lives) lapse at most 10 s after it dies, and the stalled check, run every 5 s by one of the
 * live workers, puts a lock-less job back in the queue on its second sighting: at most ~15 s.
 */
const LOCK_DURATION_MS = 10_000;
const STALLED_INTERVAL_MS = 5_000;
/** A stalled job is always run again (BullMQ would otherwise fail it after one stall). */
const MAX_STALLED_COUNT = 1000;

/**
 * Attempts for a job this process could not handle (see {@link RetryLater}): BullMQ retries it
 * with exponential backoff from 1 s, ~17 minutes in all, so a Redis restart or fail-over, or a
 * replica started without the secret key, loses nothing.
 */
const RETRY_ATTEMPTS = 10;
const RETRY_BACKOFF = { type: 'exponential', delay: 1000 } as const;

/**
 * `GET /v1/jobs` reads a sorted set of job ids by creation time (BullMQ keeps its jobs in one list
 * per BullMQ state, none ordered by creation). Ids older than finished jobs are kept are trimmed
 * at each add; ids of jobs BullMQ already removed are skipped.
 */
const CREATED_INDEX = 'created-index';
/** Ids read per round trip, and at most in all, when looking for the newest jobs in one state. */
const LIST_PAGE = 200;
const LIST_SCAN_LIMIT = 10_000;
/** How long readiness waits for Redis to answer a PING. */
const PING_TIMEOUT_MS = 2000;
/** How long a retry the slow slots do not admit yet waits in Redis before it is fetched again. */
const RETRY_REQUEUE_MS = 1000;
/**
 * A fresh job fetched while the fresh slots are full waits here this long at most, looking for one
 * every `FRESH_SLOT_POLL_MS`, then goes back to the queue for `FRESH_REQUEUE_MS`. Put back with
 * no delay, it would be fetched again at once by the same busy process, ahead of idle ones that
 * wait for Redis to wake them; with the delay any process may take it, and a busy one cycles
 * through a backlog at a few jobs a second rather than as fast as Redis answers.
 */
const FRESH_SLOT_WAIT_MS = 200;
const FRESH_SLOT_POLL_MS = 25;
const FRESH_REQUEUE_MS = 500;

/** How long the start waits for Redis before giving up with a configuration error. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The job cannot be handled here and now: its progress could not be written to Redis, or its
 * data is sealed with a key this process lacks. Unlike the processor's own failures it leaves
 * the job as it was, for BullMQ to retry, maybe on another process.
 */
class RetryLater extends Error {}

/**
 * Jobs in Redis through BullMQ: many proxy processes share one queue, each running at most
 * `concurrency` jobs; a job held by a process that dies is taken over by another (see
 * `LOCK_DURATION_MS`). Every step is written to the job's data before the next is taken, so a
 * job resumes where it was: a job with a stored result is only delivered again.
 */
export class RedisJobStore implements JobStore {
  private worker: Worker<JobData, void> | undefined;
  /** Jobs this process holds, each until BullMQ has recorded how it ended: what shutdown waits for. */
  private readonly held = new Map<string, { ended: Promise<void>; end: () => void }>();
  private closing = false;

  private constructor(
    private readonly url: string,
    private readonly queue: Queue<JobData, void>,
    private readonly box: SecretBox,
    private readonly slots: JobSlots,
    private readonly log: Logger,
  ) {}

  /** Connects the queue, failing the start with a clear message when Redis does not answer. */
  static async connect(url: string, box: SecretBox, slots: JobSlots, log: Logger): Promise<RedisJobStore> {
    // The queue serves HTTP calls (accept, status): a bounded retry makes them fail rather than hang.
    const queue = new Queue<JobData, void>(QUEUE_NAME, { connection: connectionOptions(url, 3) });
    queue.on('error', repeatLimitedErrorLog(log, 'job queue (Redis) error'));
    try {
      await withTimeout(queue.waitUntilReady(), CONNECT_TIMEOUT_MS);
    } catch (error) {
      await queue.close();
      throw configurationError('CONNECTOR_PROXY_QUEUE_URL', `points at a Redis that could not be used (${redactUrl(url)}): ${(error as Error).message}`);
    }
    log.info({ queue_url: redactUrl(url), queue: QUEUE_NAME }, 'background jobs are kept in Redis');
    return new RedisJobStore(url, queue, box, slots, log);
  }

  async add(id: string, payload: JobPayload): Promise<void> {
    const now = Date.now();
    // Indexed first: an id whose job was never added is skipped by list(), a job missing from the index would be hidden.
    await this.indexCreated(id, now);
    const data: JobData = {
      command: payload.commandId,
      payload: this.box.seal(payload),
      state: 'accepted',
      runs: 0,
      deliveryAttempts: 0,
      lastError: null,
      result: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.queue.add('job', data, {
      jobId: id,
      attempts: RETRY_ATTEMPTS,
      backoff: RETRY_BACKOFF,
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
    });
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const job = await this.queue.getJob(id);
    return job === undefined ? undefined : toStatus(id, job.data);
  }

  start(processor: JobProcessor): void {
    const worker = new Worker<JobData, void>(QUEUE_NAME, (job, token) => this.process(processor, job, token), {
      // BullMQ's blocking connections must wait for Redis indefinitely rather than fail a command.
      connection: connectionOptions(this.url, null),
      // BullMQ fetches up to the slots' capacity; `process` puts back what they do not admit yet.
      concurrency: this.slots.capacity,
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    // An unhandled 'error' event would crash the process; a lost Redis must only be logged.
    worker.on('error', repeatLimitedErrorLog(this.log, 'job worker (Redis) error'));
    worker.on('stalled', (id) => this.log.warn({ job: id }, 'job held by a process that stopped (or stalled) is back in the queue; it resumes where it was'));
    worker.on('completed', (job) => this.release(job.id));
    worker.on('failed', (job, error) => {
      this.log.warn({ job: job?.id, err: error, attempts: job?.attemptsMade }, 'job could not be handled here; it is retried while attempts remain');
      this.release(job?.id);
    });
    this.worker = worker;
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    // Pausing stops fetching at once, without waiting for anything.
    await this.worker?.pause(true);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all([...this.held.values()].map((job) => job.ended)), grace]);
    if (this.held.size > 0) {
      // Their locks are no longer renewed: a live proxy (or this one's next start) takes them over.
      this.log.warn({ jobs: this.held.size }, 'jobs still running at shutdown will be resumed by another process');
    }
    // Forced: what is left to record was waited for above, and an unforced close waits for
    // BullMQ's fetch loop, which never ends while Redis is unreachable.
    await this.worker?.close(true);
    await this.queue.close();
  }

  /** Runs one BullMQ job to its next outcome and records it; throws only a {@link RetryLater} or a Redis error. */
  private async process(processor: JobProcessor, job: QueueJob, token: string | undefined): Promise<void> {
    const id = job.id as string; // a fetched job always has its id
    const retry = isRetry(job.data);
    if (retry && !this.slots.admits(true)) return this.requeue(job, RETRY_REQUEUE_MS, token);
    if (!retry && !(await this.freshSlot())) return this.requeue(job, FRESH_REQUEUE_MS, token);
    this.slots.take(id, retry);
    this.hold(id);
    try {
      const outcome = await this.runProcessor(processor, job);
      await this.record(job, outcome, token);
    } finally {
      this.slots.release(id);
    }
  }

  /**
   * Waits a little for a fresh slot (one frees when a job finishes or turns slow); false when none
   * did within `FRESH_SLOT_WAIT_MS`, or the store is closing. Waiting holds one of BullMQ's places
   * (at most `concurrency` can wait so); giving up now and then hands the job back to every
   * process, and bounds the fetching to a few a second rather than a loop through the queue.
   */
  private async freshSlot(): Promise<boolean> {
    const giveUpAt = Date.now() + FRESH_SLOT_WAIT_MS;
    while (!this.slots.admits(false)) {
      if (this.closing || Date.now() >= giveUpAt) return false;
      await sleep(FRESH_SLOT_POLL_MS);
    }
    return true;
  }

  /**
   * Puts back, untouched, a job that is not to run here now: a retry while the slow slots are
   * full (it must not hold a place fresh jobs need), a fresh job that found no slot in time, or a
   * job fetched as the store closes.
   */
  private async requeue(job: QueueJob, delayMs: number, token: string | undefined): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  private hold(id: string): void {
    let end = (): void => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.held.set(id, { ended, end });
  }

  private release(id: string | undefined): void {
    if (id === undefined) return;
    this.held.get(id)?.end();
    this.held.delete(id);
  }

  private async runProcessor(processor: JobProcessor, job: QueueJob): Promise<JobOutcome> {
    try {
      return await processor(this.activeJob(job));
    } catch (error) {
      if (error instanceof RetryLater) throw error;
      // A bug: park the job as failed rather than retry it in a loop.
      this.log.error({ err: error, job: job.id }, 'job processing failed unexpectedly');
      return { kind: 'failed', error: 'the proxy failed while processing the job' };
    }
  }

  private activeJob(job: QueueJob): ActiveJob {
    const data = job.data;
    return {
      id: job.id as string,
      payload: this.unseal<JobPayload>(data.payload),
      result: data.result === null ? undefined : this.unseal<Envelope>(data.result),
      runs: data.runs,
      deliveryAttempts: data.deliveryAttempts,
      createdAt: data.createdAt,
      markRunning: () => this.progress(job, { state: 'running', runs: job.data.runs + 1, startedAt: job.data.startedAt ?? Date.now() }),
      saveResult: (envelope) => this.progress(job, { state: 'delivering', result: this.box.seal(envelope) }),
    };
  }

  /** Shared by replicas that may not all have the right key (a rolling change): another may open it. */
  private unseal<T>(sealed: string): T {
    try {
      return this.box.open<T>(sealed);
    } catch (error) {
      throw new RetryLater(`the job's stored data could not be opened here: ${(error as Error).message}`, { cause: error });
    }
  }

  /** A step taken inside the processor; a failed write is told apart from the processor's own errors. */
  private async progress(job: QueueJob, change: Partial<JobData>): Promise<void> {
    try {
      await this.write(job, change);
    } catch (error) {
      throw new RetryLater(`could not save job progress in Redis: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Records the outcome: final ones complete the BullMQ job, the others delay it. */
  private async record(job: QueueJob, outcome: JobOutcome, token: string | undefined): Promise<void> {
    const current = job.data;
    switch (outcome.kind) {
      case 'delivered':
        return this.write(job, { state: 'delivered', deliveryAttempts: current.deliveryAttempts + 1, lastError: null });
      case 'failed':
        return this.write(job, { state: 'failed', deliveryAttempts: current.deliveryAttempts + (current.state === 'delivering' ? 1 : 0), lastError: outcome.error });
      case 'run-later':
        await this.write(job, { state: 'accepted', lastError: outcome.error });
        return this.delay(job, outcome.delayMs, token);
      case 'deliver-later':
        await this.write(job, { state: 'delivering', deliveryAttempts: current.deliveryAttempts + 1, lastError: outcome.error });
        return this.delay(job, outcome.delayMs, token);
    }
  }

  private write(job: QueueJob, change: Partial<JobData>): Promise<void> {
    return job.updateData({ ...job.data, ...change, updatedAt: Date.now() });
  }

  /** BullMQ's manual delay: move the job to the delayed set, then tell the worker it was moved. */
  private async delay(job: QueueJob, delayMs: number, token: string | undefined): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    this.release(job.id);
    throw new DelayedError();
  }

  async list(query: JobQuery): Promise<JobStatus[]> {
    const client = await this.queue.getBackend().client;
    const key = this.queue.toKey(CREATED_INDEX);
    const found: JobStatus[] = [];
    for (let start = 0; found.length < query.limit && start < LIST_SCAN_LIMIT; start += LIST_PAGE) {
      const ids = await client.zrevrange(key, start, start + LIST_PAGE - 1);
      if (ids.length === 0) break;
      const pipeline = client.pipeline();
      for (const id of ids) pipeline.runCommand('hget', [this.queue.toKey(id), 'data']);
      const replies = (await pipeline.exec()) ?? [];
      for (const [index, id] of ids.entries()) {
        const [error, data] = replies[index] ?? [null, null];
        if (error) throw error;
        if (typeof data !== 'string') continue; // removed by BullMQ after its week
        const status = toStatus(id, JSON.parse(data) as JobData);
        if (query.state === undefined || status.state === query.state) found.push(status);
        if (found.length === query.limit) break;
      }
    }
    return found;
  }

  async ping(): Promise<void> {
    await withTimeout((async () => (await this.queue.getBackend().client).runCommand('ping', []))(), PING_TIMEOUT_MS);
  }

  private async indexCreated(id: string, now: number): Promise<void> {
    const client = await this.queue.getBackend().client;
    const key = this.queue.toKey(CREATED_INDEX);
    const expired = now - KEEP_FINISHED.age * 1000;
    const replies = await client.multi().runCommand('zadd', [key, now, id]).runCommand('zremrangebyscore', [key, '-inf', expired]).exec();
    const failed = replies?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }
}

/** `maxRetriesPerRequest`: how many reconnections a command waits for before failing (null: forever). */
function connectionOptions(url: string, maxRetriesPerRequest: number | null): RedisOptions {
  return {
    url,
    maxRetriesPerRequest,
    connectTimeout: 5000,
    // Reconnect quickly, capped at 5 s (BullMQ's default grows to 20 s, delaying takeover after an outage).
    retryStrategy: (times: number) => Math.min(times * 250, 5000),
  };
}

/** How often the same Redis error is logged again while it repeats. */
const REPEATED_ERROR_LOG_MS = 60_000;

/**
 * Logs Redis errors, each message again only after a minute: during an outage every reconnection
 * attempt fails alike, and an outage should cost a few log lines, not one per attempt.
 */
function repeatLimitedErrorLog(log: Logger, message: string): (error: Error) => void {
  let last = { text: '', at: 0 };
  return (error) => {
    const now = Date.now();
    if (error.message === last.text && now - last.at < REPEATED_ERROR_LOG_MS) return;
    last = { text: error.message, at: now };
    log.error({ err: error }, message);
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function toStatus(id: string, data: JobData): JobStatus {
  return jobStatus(id, { ...data, startedAt: data.startedAt ?? null });
}
