/**
 * `npm run bench:gc`: how much work a call leaves the garbage collector, in figures that do not
 * move with the machine's load: bytes the scavenger promoted to the old generation per call (what
 * a call keeps alive across collections), scavenges and full collections per 1,000 calls. V8
 * prints them per collection (`--trace-gc-nvp`); the proxy, the bare hop and, with `--before`,
 * another checkout's proxy each run under the same load (wrk, or autocannon) against a Node
 * upstream in this process. Times are printed too, for proportion only. With `--where`, the
 * proxy then takes the load once more under V8's sampling heap profiler (promoted-sampler.mjs)
 * and the functions that allocated what was promoted are printed, in the TypeScript where the
 * bundle's source maps say. Bounded: every load has its duration, every process is stopped at
 * the end. Only 127.0.0.1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeDocuments } from './documents.js';
import { chooseLoadGenerator } from './load.js';
import { freePort } from './ports.js';
import { promotedSites } from './promoted-sites.js';
import { startBareHop, startProxy, type RunningProxy } from './proxy-process.js';
import { makeScenarios, SCENARIO_KEYS, type ScenarioKey } from './scenarios.js';
import { startNodeUpstream } from './upstream.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'small,large,post' },
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    before: { type: 'string' },
    where: { type: 'boolean', default: false },
  },
});
const scenarioKeys = values.only.split(',').map((key) => {
  if (!(SCENARIO_KEYS as readonly string[]).includes(key)) throw new Error(`--only: ${key} is not one of ${SCENARIO_KEYS.join(', ')}`);
  return key as ScenarioKey;
});
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const connections = Number(values.connections);

/** What the collections of one measured load add up to. */
interface Collections {
  scavenges: number;
  fullCollections: number;
  promotedBytes: number;
  pauseMs: number;
}

/** Sums V8's `--trace-gc-nvp` lines: `gc=s` a scavenge, `gc=mc` (or `mmc`) a full collection. */
function collectionsIn(text: string): Collections {
  const total: Collections = { scavenges: 0, fullCollections: 0, promotedBytes: 0, pauseMs: 0 };
  for (const line of text.split('\n')) {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (kind === undefined) continue;
    if (kind === 's') {
      total.scavenges += 1;
      // A full collection's line has a `promoted` field too, of another meaning: only scavenges promote.
      total.promotedBytes += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    } else total.fullCollections += 1;
    total.pauseMs += Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'connector-proxy-gc-'));
const documents = makeDocuments();
const upstream = await startNodeUpstream(documents, 0);
const generator = await chooseLoadGenerator('auto');
const scenarios = makeScenarios(documents, `http://127.0.0.1:${upstream.port}`).filter((scenario) => scenarioKeys.includes(scenario.key));
const SAMPLER = fileURLToPath(new URL('./promoted-sampler.mjs', import.meta.url));
const profileFile = path.join(folder, 'promoted.heapprofile');
const samplerFlags = values.where ? ['--import', SAMPLER] : [];
const targets: Array<{ name: string; sampled?: true; start: (port: number, logFile: string) => Promise<RunningProxy> }> = [
  {
    name: 'proxy',
    sampled: true,
    start: (port, logFile) =>
      startProxy({ port, workers: 1, dataDir: mkdtempSync(path.join(folder, 'data-')), logFile, extraNodeFlags: ['--trace-gc-nvp', ...samplerFlags], env: { CONNECTOR_PROXY_BENCH_PROFILE: profileFile } }),
  },
  ...(values.before === undefined
    ? []
    : [{ name: 'proxy before', start: (port: number, logFile: string) => startProxy({ port, workers: 1, dataDir: mkdtempSync(path.join(folder, 'data-')), logFile, checkout: values.before, extraNodeFlags: ['--trace-gc-nvp'] }) }]),
  { name: 'bare Node hop', start: (port, logFile) => startBareHop(port, `http://127.0.0.1:${upstream.port}`, logFile, ['--trace-gc-nvp']) },
];

/** Loads the proxy once more with its sampler on (SIGUSR2 starts and stops it) and prints where the promoted bytes were allocated. */
async function printPromotedSites(proxy: RunningProxy, load: () => Promise<{ callsPerSecond: number }>): Promise<void> {
  rmSync(profileFile, { force: true });
  process.kill(proxy.pid, 'SIGUSR2');
  const result = await load();
  process.kill(proxy.pid, 'SIGUSR2');
  for (let waited = 0; !existsSync(profileFile); waited += 100) {
    if (waited > 10_000) throw new Error(`no heap profile from the proxy in 10 s (${profileFile})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { total, sites } = promotedSites(profileFile, Math.round(result.callsPerSecond * durationSeconds), 12);
  process.stdout.write(`  promoted, by where it was allocated (sampled, ${Math.round(result.callsPerSecond)} calls/s under the profiler): ${Math.round(total)} B/call\n`);
  for (const { site, bytesPerCall } of sites) process.stdout.write(`  ${bytesPerCall.toFixed(0).padStart(6)}  ${site}\n`);
}

try {
  process.stdout.write(`load: ${generator.name}, ${connections} connections, ${warmupSeconds} s warm-up, ${durationSeconds} s measured; load average ${os.loadavg()[0]?.toFixed(2)}\n\n`);
  process.stdout.write(`${'scenario'.padEnd(8)} ${'target'.padEnd(14)} ${'calls'.padStart(7)} ${'promoted B/call'.padStart(15)} ${'scavenges/1k'.padStart(12)} ${'full GCs/1k'.padStart(11)} ${'GC pause µs/call'.padStart(16)}\n`);
  for (const scenario of scenarios) {
    const bodyFile = scenario.proxied.body === undefined ? undefined : path.join(folder, `${scenario.key}.json`);
    if (bodyFile !== undefined) writeFileSync(bodyFile, scenario.proxied.body ?? '');
    for (const target of targets) {
      const port = await freePort();
      const logFile = path.join(folder, `${scenario.key}-${target.name.replaceAll(' ', '-')}.log`);
      const running = await target.start(port, logFile);
      try {
        const load = { url: `http://127.0.0.1:${port}${scenario.proxied.path}`, method: scenario.proxied.method, bodyFile, connections, threads: 2 };
        await generator.run({ ...load, durationSeconds: warmupSeconds });
        const measuredFrom = statSync(logFile).size;
        const result = await generator.run({ ...load, durationSeconds });
        // The child's output reaches the file through a pipe: let the last lines arrive.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const collections = collectionsIn(readFileSync(logFile).subarray(measuredFrom).toString());
        const calls = Math.round(result.callsPerSecond * durationSeconds);
        const perThousand = (count: number): string => ((count * 1000) / calls).toFixed(2);
        process.stdout.write(
          `${scenario.key.padEnd(8)} ${target.name.padEnd(14)} ${String(calls).padStart(7)} ${Math.round(collections.promotedBytes / calls).toLocaleString('en').padStart(15)} ` +
            `${perThousand(collections.scavenges).padStart(12)} ${perThousand(collections.fullCollections).padStart(11)} ${((collections.pauseMs * 1000) / calls).toFixed(1).padStart(16)}\n`,
        );
        if (values.where && target.sampled) await printPromotedSites(running, () => generator.run({ ...load, durationSeconds }));
      } finally {
        await running.stop();
      }
    }
  }
} finally {
  await upstream.stop();
  rmSync(folder, { recursive: true, force: true });
}
