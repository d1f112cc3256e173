/**
 * `npm run bench:start`: how long the built proxy takes from `node` to answering `/liveness`,
 * and its resident memory idle after the start. Each run spawns
 * `node <V8 flags> packages/server/dist/connector-proxy.mjs` with `MALLOC_TRIM_THRESHOLD_`, as
 * `npm start` runs it (both read from cli.ts's `#!` line; the unbundled dist/cli.js runs
 * without it, as `npm start` ran it before the bundle), one worker, log level warn. It asks
 * `GET /liveness` every 2 ms until it answers 200, waits `--idle` seconds (12: V8's memory
 * reducer shrinks the heap about 8 s after the start's last allocations, and a proxy idle in
 * production is past that), reads `VmRSS` from /proc and stops it. With `--entry <file>` given
 * more than once, the entries take turns run by run (an A/B: the unbundled
 * `packages/server/dist/cli.js` against the bundle, say). `--node-flags=<flags>`, also
 * repeatable, replaces the V8 flags: every entry runs with each set given, in the same turns (an
 * A/B of flags). `--library-floor` adds bench/library-floor-server.ts, bundled as the proxy is:
 * only the libraries the proxy is built on, started, for the least idle memory a proxy on them can
 * take. Prints each run and the medians per entry and flags; bounded (each start may take 30 s
 * at most). Only 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopProcess } from './child-process.js';
import { freePort } from './ports.js';
import { launchEnvironment, NODE_FLAGS } from './proxy-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = path.join('packages', 'server', 'dist', 'connector-proxy.mjs');
const START_LIMIT_MS = 30_000;
const POLL_MS = 2;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    idle: { type: 'string', default: '12' },
    entry: { type: 'string', multiple: true, default: [BUNDLE] },
    'node-flags': { type: 'string', multiple: true, default: [NODE_FLAGS.join(' ')] },
    'library-floor': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const idleSeconds = Number(values.idle);

/** What one start runs: a built entry with a set of V8 flags. */
interface Variant {
  readonly entry: string;
  readonly nodeFlags: readonly string[];
  readonly label: string;
}

const variants: Variant[] = values.entry.flatMap((entry) =>
  values['node-flags'].map((flags) => {
    const nodeFlags = flags.split(/\s+/).filter(Boolean);
    return { entry: path.resolve(ROOT, entry), nodeFlags, label: `${entry} (node ${nodeFlags.join(' ') || 'without flags'})` };
  }),
);
if (values['library-floor']) variants.push({ entry: bundleLibraryFloor(), nodeFlags: NODE_FLAGS, label: 'library floor (bench/library-floor-server.ts, bundled)' });

/**
 * bench/library-floor-server.ts bundled by the proxy's own scripts/bundle.mjs, with the same
 * settings (pino left outside, as there): written under node_modules/.cache so that Node finds
 * pino from it.
 */
function bundleLibraryFloor(): string {
  const outdir = path.join(ROOT, 'node_modules', '.cache', 'connector-proxy-bench');
  const entry = fileURLToPath(new URL('./library-floor-server.ts', import.meta.url));
  execFileSync(process.execPath, [path.join(ROOT, 'packages', 'server', 'scripts', 'bundle.mjs'), '--entry', entry, '--outdir', outdir], { stdio: 'inherit' });
  return path.join(outdir, 'library-floor-server.mjs');
}

async function once({ entry, nodeFlags }: Variant): Promise<{ startMs: number; idleRssMb: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'connector-proxy-start-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    cwd: ROOT,
    env: { ...launchEnvironment(entry), PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', CONNECTOR_PROXY_LOG_LEVEL: 'warn', CONNECTOR_PROXY_DATA_DIR: dataDir },
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

const results = new Map(variants.map((variant) => [variant, [] as Array<{ startMs: number; idleRssMb: number }>]));
for (let run = 1; run <= runs; run += 1) {
  // Each run starts with the next variant, so none is always first after the previous one's stop.
  for (let turn = 0; turn < variants.length; turn += 1) {
    const variant = variants[(run + turn) % variants.length] as Variant;
    const result = await once(variant);
    results.get(variant)?.push(result);
    process.stderr.write(`${variant.label} start ${run}/${runs}: ${result.startMs.toFixed(0)} ms to /liveness, ${result.idleRssMb.toFixed(1)} MB resident ${idleSeconds} s later\n`);
  }
}
for (const [variant, measured] of results) {
  process.stdout.write(
    `${variant.label}: start (median of ${runs}): ${median(measured.map((r) => r.startMs)).toFixed(0)} ms from spawn to /liveness; ` +
      `idle resident memory (median): ${median(measured.map((r) => r.idleRssMb)).toFixed(1)} MB; load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}\n`,
  );
}
