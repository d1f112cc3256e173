/** What a load generator is asked for and what it reports, and which one this machine has. */
import { findExecutable } from './child-process.js';

export interface LoadRun {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** A file holding the JSON body, sent with `content-type: application/json`. */
  readonly bodyFile: string | undefined;
  readonly connections: number;
  readonly threads: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  /** Answers with a 2xx or 3xx status, per second. */
  readonly callsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers with a status >= 400. */
  readonly statusErrors: number;
  /** Connect, read and write errors and timeouts. */
  readonly socketErrors: number;
}

export interface LoadGenerator {
  /** What it is, e.g. `wrk 4.1.0`. */
  readonly name: string;
  run(load: LoadRun): Promise<LoadResult>;
}

export type LoadChoice = 'auto' | 'wrk' | 'autocannon';

/** wrk when installed (it costs the machine far less CPU per call), else autocannon. */
export async function chooseLoadGenerator(choice: LoadChoice): Promise<LoadGenerator> {
  const wrk = findExecutable('wrk');
  if (choice === 'wrk' && wrk === undefined) throw new Error('--load wrk: wrk is not installed (Debian: apt-get install wrk)');
  if (choice !== 'autocannon' && wrk !== undefined) return (await import('./wrk.js')).wrkGenerator(wrk);
  return (await import('./autocannon.js')).autocannonGenerator();
}

/** How long a load run may take before it is killed: its duration plus room to start and report. */
export function loadTimeoutMs(load: LoadRun): number {
  return (load.durationSeconds + 20) * 1000;
}
