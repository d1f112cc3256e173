/** What a bench run found: its shape (also that of results/latest.json) and how rounds are summed up. */
import type { LoadResult } from './load.js';
import type { Machine } from './machine.js';
import type { ScenarioKey } from './scenarios.js';

/** One target (the proxy, the proxy before, nginx proxy_pass, or the bare hop) in one scenario. */
export interface TargetFigures {
  /** Of the median round (by calls/s). */
  readonly callsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Over every measured round: answers >= 400 plus socket errors and timeouts. */
  readonly errors: number;
  /** Largest resident memory of the process tree seen during its load, in MB. */
  readonly rssMb: number;
  /** CPU time (user and system) of the process tree per answered call over the measured rounds, in microseconds. */
  readonly cpuUsPerCall: number;
  readonly rounds: readonly LoadResult[];
}

export interface ScenarioFigures {
  readonly key: ScenarioKey;
  readonly title: string;
  readonly proxy: TargetFigures;
  /** Absent when nginx is not installed. */
  readonly nginx: TargetFigures | undefined;
  /** proxy calls/s ÷ nginx calls/s. */
  readonly ratio: number | undefined;
  /** The proxy of another checkout (`--before`), measured in the same rounds. */
  readonly before?: TargetFigures;
  /** proxy before calls/s ÷ nginx calls/s. */
  readonly beforeRatio?: number;
  /** The reference hop (bare-hop.ts), with `--bare-hop` only. */
  readonly bareHop?: TargetFigures;
  /** bare hop calls/s ÷ nginx calls/s. */
  readonly bareHopRatio?: number;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: Machine;
  readonly upstream: string;
  readonly loadGenerator: string;
  readonly nginx: string | undefined;
  readonly settings: {
    readonly workers: number;
    readonly connections: number;
    readonly threads: number;
    readonly warmupSeconds: number;
    readonly rounds: number;
    readonly roundSeconds: number;
    readonly bareHop: boolean;
    readonly before: string | undefined;
    readonly beforeNodeFlags: readonly string[] | undefined;
  };
  readonly scenarios: readonly ScenarioFigures[];
}

/** The median round by calls/s (the lower middle for an even count), errors summed, memory at its peak, CPU per call over all rounds. */
export function summarize(rounds: readonly LoadResult[], rssBytes: number, cpu: { seconds: number; calls: number }): TargetFigures {
  const sorted = [...rounds].sort((a, b) => a.callsPerSecond - b.callsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('no round was measured');
  return {
    callsPerSecond: median.callsPerSecond,
    meanMs: median.meanMs,
    p50Ms: median.p50Ms,
    p99Ms: median.p99Ms,
    errors: rounds.reduce((sum, round) => sum + round.statusErrors + round.socketErrors, 0),
    rssMb: rssBytes / 1024 / 1024,
    cpuUsPerCall: cpu.calls === 0 ? 0 : (cpu.seconds / cpu.calls) * 1e6,
    rounds,
  };
}
