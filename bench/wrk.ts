/** The load generator wrk (Debian's package), driven by wrk-report.lua. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runBounded } from './child-process.js';
import { loadTimeoutMs, type LoadGenerator, type LoadRun } from './load.js';

const SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

interface WrkReport {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
}

export function wrkGenerator(file: string): LoadGenerator {
  // `wrk -v` prints e.g. "wrk debian/4.1.0-3+b2 [epoll] ..." (and exits 1).
  const said = spawnSync(file, ['-v'], { encoding: 'utf8' });
  const version = /wrk \S+/.exec(`${said.stdout}${said.stderr}`)?.[0] ?? 'wrk';
  return { name: version, run: (load) => runWrk(file, load) };
}

async function runWrk(file: string, load: LoadRun) {
  const args = ['-t', String(load.threads), '-c', String(load.connections), '-d', `${load.durationSeconds}s`, '--timeout', '5s', '-s', SCRIPT, load.url];
  const env = { ...process.env, BENCH_METHOD: load.method, BENCH_BODY_FILE: load.bodyFile ?? '' };
  const finished = await runBounded(file, args, loadTimeoutMs(load), { env });
  const line = finished.stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
  if (finished.code !== 0 || line === undefined) throw new Error(`wrk failed (exit ${finished.code}): ${finished.stderr || finished.stdout}`);
  const report = JSON.parse(line.slice('BENCH_RESULT '.length)) as WrkReport;
  return {
    callsPerSecond: (report.requests - report.status) / (report.duration_us / 1e6),
    meanMs: report.mean_us / 1000,
    p50Ms: report.p50_us / 1000,
    p99Ms: report.p99_us / 1000,
    statusErrors: report.status,
    socketErrors: report.connect + report.read + report.write + report.timeout,
  };
}
