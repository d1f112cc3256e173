import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Envelope } from '@connector-proxy/sdk';
import type { Logger } from 'pino';
import type { ActiveJob, JobOutcome, JobPayload, JobProcessor, JobQuery, JobState, JobStatus, JobStore } from './job-store.js';
import type { SecretBox } from './secret-box.js';

interface JobRow {
  id: string;
  command: string;
  state: JobState;
  payload: string;
  result: string | null;
  runs: number;
  delivery_attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  command TEXT NOT NULL,
  state TEXT NOT NULL,
  payload TEXT NOT NULL,
  result TEXT,
  runs INTEGER NOT NULL DEFAULT 0,
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_at);
`;

/** How often the store looks for jobs that became due (a retry's delay ran out). */
const POLL_MS = 250;

/**
 * Jobs in a SQLite file under the data directory: durable on one machine with no other service.
 * Every change is committed before the step it records is taken, so a process killed at any
 * moment loses nothing: at the next start, jobs that were running run again and undelivered
 * results are delivered. One process per data directory: for many, use Redis.
 */
export class SqliteJobStore implements JobStore {
  private readonly file: string;
  private opened: { db: Database.Database; statements: Statements } | undefined;
  private readonly running = new Map<string, Promise<void>>();
  /** `GET /v1/jobs`'s statements, prepared at its first call. */
  private listing: ReturnType<typeof prepareListing> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private processor: JobProcessor | undefined;
  private closed = false;

  constructor(private readonly dataDir: string, private readonly box: SecretBox, private readonly concurrency: number, private readonly log: Logger) {
    this.file = path.join(dataDir, 'jobs.sqlite');
  }

  /** The file is made at the first job, so a proxy that never runs one writes nothing to disk. */
  private get statements(): Statements {
    if (this.opened === undefined) {
      mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
      const db = new Database(this.file);
      // WAL with NORMAL sync survives a killed process (not a power cut) at a fraction of FULL's cost.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      this.opened = { db, statements: prepareStatements(db) };
    }
    return this.opened.statements;
  }

  async add(id: string, payload: JobPayload): Promise<void> {
    this.statements.insert.run({ id, command: payload.commandId, payload: this.box.seal(payload), now: Date.now() });
    setImmediate(() => this.pump());
  }

  async status(id: string): Promise<JobStatus | undefined> {
    if (this.opened === undefined && !existsSync(this.file)) return undefined;
    const row = this.statements.get.get(id);
    return row === undefined ? undefined : toStatus(row);
  }

  start(processor: JobProcessor): void {
    this.processor = processor;
    if (existsSync(this.file)) {
      // Whatever was running when the last process died runs again (at-least-once).
      const resumed = this.statements.resume.run(Date.now()).changes;
      if (resumed > 0) this.log.warn({ jobs: resumed }, 'resuming jobs that were running when the proxy stopped');
    }
    this.timer = setInterval(() => this.pump(), POLL_MS);
    this.timer.unref();
    this.pump();
  }

  async close(graceMs: number): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.running.values()]), grace]);
    // Jobs still running stay `running` in the file and run again at the next start.
    if (this.running.size === 0) this.opened?.db.close();
  }

  /** Hands due jobs to the processor while there is room. */
  private pump(): void {
    if (this.closed || this.processor === undefined || this.opened === undefined) return;
    const room = this.concurrency - this.running.size;
    if (room <= 0) return;
    for (const row of this.statements.due.all(Date.now(), room + this.running.size)) {
      if (this.running.size >= this.concurrency) break;
      if (this.running.has(row.id)) continue;
      const work = this.process(row).finally(() => {
        this.running.delete(row.id);
        this.pump();
      });
      this.running.set(row.id, work);
    }
  }

  private async process(row: JobRow): Promise<void> {
    const processor = this.processor as JobProcessor;
    try {
      const job = this.activeJob(row);
      this.record(row, await processor(job));
    } catch (error) {
      // A bug or a broken row: park it as failed rather than retry it in a tight loop.
      this.log.error({ err: error, job: row.id }, 'job processing failed unexpectedly');
      this.write(row.id, { ...this.current(row.id), state: 'failed', last_error: 'the proxy failed while processing the job' });
    }
  }

  private activeJob(row: JobRow): ActiveJob {
    return {
      id: row.id,
      payload: this.box.open<JobPayload>(row.payload),
      result: row.result === null ? undefined : this.box.open<Envelope>(row.result),
      runs: row.runs,
      deliveryAttempts: row.delivery_attempts,
      createdAt: row.created_at,
      markRunning: async () => {
        this.write(row.id, { ...this.current(row.id), state: 'running', runs: this.current(row.id).runs + 1 });
      },
      saveResult: async (envelope) => {
        this.write(row.id, { ...this.current(row.id), state: 'delivering' }, this.box.seal(envelope));
      },
    };
  }

  private record(row: JobRow, outcome: JobOutcome): void {
    const current = this.current(row.id);
    switch (outcome.kind) {
      case 'delivered':
        return this.write(row.id, { ...current, state: 'delivered', delivery_attempts: current.delivery_attempts + 1, last_error: null });
      case 'failed':
        return this.write(row.id, { ...current, state: 'failed', delivery_attempts: current.delivery_attempts + (current.state === 'delivering' ? 1 : 0), last_error: outcome.error });
      case 'run-later':
        return this.write(row.id, { ...current, state: 'accepted', last_error: outcome.error }, null, Date.now() + outcome.delayMs);
      case 'deliver-later':
        return this.write(row.id, { ...current, state: 'delivering', delivery_attempts: current.delivery_attempts + 1, last_error: outcome.error }, null, Date.now() + outcome.delayMs);
    }
  }

  private current(id: string): JobRow {
    const row = this.statements.get.get(id);
    if (row === undefined) throw new Error(`job ${id} vanished from the store`);
    return row;
  }

  private write(id: string, row: Pick<JobRow, 'state' | 'runs' | 'delivery_attempts' | 'last_error'>, result: string | null = null, nextAt = Date.now()): void {
    this.statements.update.run({ id, state: row.state, runs: row.runs, delivery_attempts: row.delivery_attempts, last_error: row.last_error, result, now: Date.now(), next_at: nextAt });
  }

  async list(query: JobQuery): Promise<JobStatus[]> {
    if (this.opened === undefined && !existsSync(this.file)) return [];
    void this.statements; // opens the file
    this.listing ??= prepareListing((this.opened as { db: Database.Database }).db);
    const rows = query.state === undefined ? this.listing.newest.all(query.limit) : this.listing.newestIn.all(query.state, query.limit);
    return rows.map(toStatus);
  }

  /**
   * The file answers a query; before the first job (no file yet, by design) the data directory,
   * or the nearest folder above it that exists, must be writable for the first job to be stored.
   */
  async ping(): Promise<void> {
    if (this.opened !== undefined) {
      this.opened.db.prepare('SELECT 1').get();
      return;
    }
    let folder = path.resolve(this.dataDir);
    while (!existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
    accessSync(folder, constants.W_OK | constants.X_OK);
  }
}

/** Newest first; `rowid` orders jobs accepted in the same millisecond. */
function prepareListing(db: Database.Database) {
  db.exec('CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at)');
  return {
    newest: db.prepare<[number], JobRow>('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?'),
    newestIn: db.prepare<[string, number], JobRow>('SELECT * FROM jobs WHERE state = ? ORDER BY created_at DESC, rowid DESC LIMIT ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO jobs (id, command, state, payload, runs, delivery_attempts, created_at, updated_at, next_at)
       VALUES (@id, @command, 'accepted', @payload, 0, 0, @now, @now, @now)`,
    ),
    get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    due: db.prepare<[number, number], JobRow>(`SELECT * FROM jobs WHERE state IN ('accepted', 'delivering') AND next_at <= ? ORDER BY next_at LIMIT ?`),
    update: db.prepare(
      `UPDATE jobs SET state = @state, runs = @runs, delivery_attempts = @delivery_attempts, last_error = @last_error,
         result = COALESCE(@result, result), updated_at = @now, next_at = @next_at WHERE id = @id`,
    ),
    resume: db.prepare(`UPDATE jobs SET state = 'accepted', updated_at = ? WHERE state = 'running'`),
  };
}

function toStatus(row: JobRow): JobStatus {
  return {
    id: row.id,
    command: row.command,
    state: row.state,
    runs: row.runs,
    delivery_attempts: row.delivery_attempts,
    last_error: row.last_error,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
