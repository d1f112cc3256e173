/**
 * `npm run bench:start`: how long the built proxy takes from `node` to answering `/liveness`,
 * and its resident memory idle after the start. Each run spawns
 * `node --max-semi-space-size=4 packages/server/dist/cli.js` (as `npm start` runs it, one worker,
 * log level warn), asks `GET /liveness` every 2 ms until it answers 200, waits `--idle` seconds
 * and reads `VmRSS` from /proc, then stops it. Prints each run and the medians; bounded (each
 * start may take 30 s at most). Only 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopProcess } from './child-process.js';
import { freePort } from './ports.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages', 'server', 'dist', 'cli.js');
const START_LIMIT_MS = 30_000;
const POLL_MS = 2;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, idle: { type: 'string', default: '2' } } });
const runs = Number(values.runs);
const idleSeconds = Number(values.idle);

async function once(): Promise<{ startMs: number; idleRssMb: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'connector-proxy-start-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['--max-semi-space-size=4', CLI], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', CONNECTOR_PROXY_LOG_LEVEL: 'warn', CONNECTOR_PROXY_DATA_DIR: dataDir },
    stdio: 'ignore',
  });
  try {
    const startMs = await untilLive(port, started, () => child.exitCode !== null);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    return { startMs, idleRssMb: residentMb(child.pid ?? 0) };
  } finally {
    await stopProcess(child, 'SIGTERM', 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function untilLive(port: number, started: number, exited: () => boolean): Promise<number> {
  while (performance.now() - started < START_LIMIT_MS) {
    if (exited()) throw new Error('the proxy exited at start');
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/liveness`);
      if (answer.status === 200) return performance.now() - started;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`no answer from /liveness within ${START_LIMIT_MS} ms`);
}

function residentMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

const results: Array<{ startMs: number; idleRssMb: number }> = [];
for (let run = 1; run <= runs; run += 1) {
  const result = await once();
  results.push(result);
  process.stderr.write(`start ${run}/${runs}: ${result.startMs.toFixed(0)} ms to /liveness, ${result.idleRssMb.toFixed(1)} MB resident ${idleSeconds} s later\n`);
}
process.stdout.write(
  `start (median of ${runs}): ${median(results.map((r) => r.startMs)).toFixed(0)} ms from spawn to /liveness; ` +
    `idle resident memory (median): ${median(results.map((r) => r.idleRssMb)).toFixed(1)} MB; load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}\n`,
);
