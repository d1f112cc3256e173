/**
 * The load generator autocannon (a dev dependency), for machines without wrk. It runs as its
 * own process, like wrk, and reports latencies in whole milliseconds.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runBounded } from './child-process.js';
import { loadTimeoutMs, type LoadGenerator, type LoadRun } from './load.js';

interface AutocannonReport {
  duration: number;
  '2xx': number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  latency: { average: number; p50: number; p99: number };
  statusCodeStats?: Record<string, { count: number | string }>;
}

export function autocannonGenerator(): LoadGenerator {
  const require = createRequire(import.meta.url);
  let cli: string;
  try {
    cli = require.resolve('autocannon');
  } catch (error) {
    throw new Error('neither wrk nor autocannon is installed: apt-get install wrk, or npm install (autocannon is a dev dependency)', { cause: error });
  }
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(cli), 'package.json'), 'utf8')) as { version: string };
  return { name: `autocannon ${manifest.version}`, run: (load) => runAutocannon(cli, load) };
}

async function runAutocannon(cli: string, load: LoadRun) {
  const body = load.bodyFile === undefined ? [] : ['-i', load.bodyFile, '-H', 'content-type=application/json'];
  const workers = load.threads > 1 ? ['-w', String(load.threads)] : [];
  const args = [cli, '-j', '-n', '-c', String(load.connections), '-d', String(load.durationSeconds), '-t', '5', '-m', load.method, ...workers, ...body, load.url];
  const finished = await runBounded(process.execPath, args, loadTimeoutMs(load));
  if (finished.code !== 0) throw new Error(`autocannon failed (exit ${finished.code}): ${finished.stderr}`);
  const report = JSON.parse(finished.stdout) as AutocannonReport;
  // non2xx counts 3xx too: count only >= 400 as errors, like wrk.
  const statusErrors = Object.entries(report.statusCodeStats ?? {})
    .filter(([status]) => Number(status) >= 400)
    .reduce((sum, [, stats]) => sum + Number(stats.count), 0);
  return {
    callsPerSecond: (report['2xx'] + report.non2xx - statusErrors) / report.duration,
    meanMs: report.latency.average,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    statusErrors,
    socketErrors: report.errors,
  };
}
