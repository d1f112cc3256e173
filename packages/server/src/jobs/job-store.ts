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
  /** Starts handing due jobs to `processor`, at most `concurrency` at once. */
  start(processor: JobProcessor): void;
  /** Stops taking jobs; waits up to `graceMs` for running ones, which are otherwise resumed later. */
  close(graceMs: number): Promise<void>;
}
