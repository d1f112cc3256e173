import type { Envelope, TaskReference } from '@connector-proxy/sdk';

/** Where a job is in its life. `delivered` and `failed` are final. */
export type JobState = 'accepted' | 'running' | 'delivering' | 'delivered' | 'failed';

/** What a job needs to run: stored (encrypted when a key is set) until it is delivered. */
export interface JobPayload {
  commandId: string;
  params: Record<string, unknown>;
  taskData: unknown;
  task: TaskReference;
  callbackUrl: string;
}

/** What `GET /v1/jobs/{id}` shows: never parameters or results. */
export interface JobStatus {
  id: string;
  command: string;
  state: JobState;
  /** How many times the command has been started. */
  runs: number;
  /** How many times the result has been sent to the callback URL. */
  delivery_attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  /** When the command first started running; null until it has. */
  started_at: string | null;
  /**
   * How long the job waited for a worker: from acceptance to its first run, or, while it has not
   * run yet, until now. A large value means the workers were busy (see `CONNECTOR_PROXY_WORKER_CONCURRENCY`).
   */
  wait_ms: number;
}

/** What either store keeps of a job's progress, in epoch milliseconds. */
export interface JobProgress {
  command: string;
  state: JobState;
  runs: number;
  deliveryAttempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
}

/** The `GET /v1/jobs/{id}` answer for a job, whichever store holds it. */
export function jobStatus(id: string, job: JobProgress, now = Date.now()): JobStatus {
  const finished = job.state === 'delivered' || job.state === 'failed';
  const waitedUntil = job.startedAt ?? (finished ? job.updatedAt : now);
  return {
    id,
    command: job.command,
    state: job.state,
    runs: job.runs,
    delivery_attempts: job.deliveryAttempts,
    last_error: job.lastError,
    created_at: new Date(job.createdAt).toISOString(),
    updated_at: new Date(job.updatedAt).toISOString(),
    started_at: job.startedAt === null ? null : new Date(job.startedAt).toISOString(),
    wait_ms: Math.max(0, waitedUntil - job.createdAt),
  };
}

/** A job taken up again (a run or a delivery after an earlier one) goes to the slow slots (job-slots.ts). */
export function isRetry(job: Pick<JobProgress, 'runs' | 'deliveryAttempts'>): boolean {
  return job.runs > 0 || job.deliveryAttempts > 0;
}

/** Every {@link JobState}, for checking a state a caller names. */
export const JOB_STATES: readonly JobState[] = ['accepted', 'running', 'delivering', 'delivered', 'failed'];

/** What `GET /v1/jobs` asks for: the newest jobs, optionally in one state only. */
export interface JobQuery {
  state: JobState | undefined;
  limit: number;
}

/** A job handed to the processor by a store, with the progress it has made so far. */
export interface ActiveJob {
  readonly id: string;
  readonly payload: JobPayload;
  /** The envelope, once the command has run: a job with a result is only delivered, never run again. */
  readonly result: Envelope | undefined;
  readonly runs: number;
  readonly deliveryAttempts: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Records that the command is starting (state `running`, one more run). */
  markRunning(): Promise<void>;
  /** Records the command's envelope before delivery starts (state `delivering`). */
  saveResult(envelope: Envelope): Promise<void>;
}

/** What the processor decided; the store records it and schedules what comes next. */
export type JobOutcome =
  | { kind: 'delivered' }
  | { kind: 'failed'; error: string }
  /** The command failed transiently and may run again after `delayMs`. */
  | { kind: 'run-later'; delayMs: number; error: string }
  /** Delivery failed transiently; try again after `delayMs`. */
  | { kind: 'deliver-later'; delayMs: number; error: string };

/** Runs one job to its next outcome. */
export type JobProcessor = (job: ActiveJob) => Promise<JobOutcome>;

/**
 * Durable storage and scheduling of background jobs. Two implementations: SQLite on one
 * machine, BullMQ on Redis for many. Nothing outside `jobs/` knows which is in use.
 */
export interface JobStore {
  /** Stores an accepted job; resolves once it is durable. */
  add(id: string, payload: JobPayload): Promise<void>;
  status(id: string): Promise<JobStatus | undefined>;
  /** The newest jobs first, at most `query.limit`. */
  list(query: JobQuery): Promise<JobStatus[]>;
  /** Resolves when the store answers; rejects with the reason otherwise (readiness). */
  ping(): Promise<void>;
  /** Starts handing due jobs to `processor`, as many at once as its slots admit (job-slots.ts). */
  start(processor: JobProcessor): void;
  /** Stops taking jobs; waits up to `graceMs` for running ones, which are otherwise resumed later. */
  close(graceMs: number): Promise<void>;
}
