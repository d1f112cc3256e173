/**
 * Typeahead look-ups over HTTP, timed one by one: `callers` loops, each sending its next look-up
 * when the last one's answer is read whole, over kept-alive connections (one undici pool), until
 * the time or the count is up. Latency is measured in this process, in microseconds.
 */
import { Pool } from 'undici';

export interface LookupRun {
  readonly origin: string;
  readonly category: string;
  /** The next prefix to ask for. */
  readonly prefix: () => string;
  readonly limit: number;
  readonly callers: number;
  readonly seconds: number;
  /** A bound on look-ups, whatever the time. */
  readonly maxLookups: number;
}

export interface LookupFigures {
  readonly lookups: number;
  readonly lookupsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanBytes: number;
  /** Answers other than 200, and failed requests. */
  readonly errors: number;
}

export async function runLookups(run: LookupRun): Promise<LookupFigures> {
  const pool = new Pool(run.origin, { connections: run.callers, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const latencies = new Float64Array(run.maxLookups);
  let lookups = 0;
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + run.seconds * 1000;
  const caller = async (): Promise<void> => {
    while (performance.now() < endAt && lookups < run.maxLookups) {
      const slot = lookups;
      lookups += 1;
      const path = `/v1/typeahead/${run.category}?prefix=${encodeURIComponent(run.prefix())}&limit=${run.limit}`;
      const sent = performance.now();
      try {
        const answer = await pool.request({ path, method: 'GET' });
        const body = await answer.body.arrayBuffer();
        if (answer.statusCode !== 200) errors += 1;
        bytes += body.byteLength;
      } catch {
        errors += 1; // counted and shown: a bench run with errors is not to be trusted
      }
      latencies[slot] = performance.now() - sent;
    }
  };
  try {
    await Promise.all(Array.from({ length: run.callers }, caller));
  } finally {
    await pool.close();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, lookups).sort();
  return {
    lookups,
    lookupsPerSecond: lookups / elapsedSeconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanBytes: lookups === 0 ? 0 : bytes / lookups,
    errors,
  };
}

function percentile(sorted: Float64Array, share: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}
