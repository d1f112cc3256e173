/**
 * `npm run bench`: builds, starts an upstream, the proxy and (when nginx is installed) nginx
 * proxy_pass to the same upstream, loads each in turn per scenario, prints one table and writes
 * results/latest.json. Only 127.0.0.1; every step is bounded, so the run ends by itself.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFloors } from './floors.js';
import { chooseLoadGenerator, type LoadGenerator, type LoadResult } from './load.js';
import { treeCpuSeconds } from './cpu-time.js';
import { sampleResidentMemory } from './memory.js';
import { describeMachine } from './machine.js';
import { findNginx, startNginxProxy, startNginxUpstream } from './nginx.js';
import { HELP, parseOptions, type BenchOptions } from './options.js';
import { freePort } from './ports.js';
import { checkAnswers } from './preflight.js';
import { NODE_FLAGS, proxyEntry, startBareHop, startProxy } from './proxy-process.js';
import { summarize, type BenchReport, type ScenarioFigures, type TargetFigures } from './report.js';
import { makeDocuments } from './documents.js';
import { makeScenarios, type LoadTarget, type Scenario } from './scenarios.js';
import { renderTable } from './table.js';
import { startNodeUpstream } from './upstream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = path.join(ROOT, 'bench', 'results');
/** Above this share of the cores busy before the start, something else is using them. */
const BUSY_SHARE = 0.2;

/** Something under load: its base URL and the process tree whose memory is sampled. */
interface Target {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
}

/** Things to stop at the end (or on Ctrl-C), last started first stopped. */
const cleanups: Array<() => Promise<void> | void> = [];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) return void process.stdout.write(HELP);
  if (options.build) {
    say('building (npm run build)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }
  const nginx = options.upstream === 'node' ? undefined : findNginx();
  if (options.upstream === 'nginx' && nginx === undefined) throw new Error('--upstream nginx: nginx is not installed (Debian: apt-get install nginx)');
  const generator = await chooseLoadGenerator(options.load);
  const machine = await describeMachine();
  if (machine.busyAtStart > BUSY_SHARE) say(`the machine is busy (${percent(machine.busyAtStart)} of its cores just before the start): other work shares them, the figures will be low and noisy`);

  mkdirSync(RESULTS, { recursive: true });
  const folder = mkdtempSync(path.join(os.tmpdir(), 'connector-proxy-bench-'));
  // nginx's worker runs as an unprivileged user when started as root: it must read the files here.
  chmodSync(folder, 0o755);
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));

  const documents = makeDocuments();
  const upstream = nginx === undefined
    ? await startNodeUpstream(documents, await freePort())
    : await startNginxUpstream(nginx, path.join(folder, 'upstream'), documents, await freePort());
  cleanups.push(() => upstream.stop());
  const upstreamName = nginx !== undefined
    ? `${nginx.version} (Debian package), 1 worker`
    : `Node http server (${options.upstream === 'node' ? 'as asked' : 'nginx is not installed'})`;
  say(`upstream: ${upstreamName} on 127.0.0.1:${upstream.port}`);

  const comparison = nginx === undefined ? undefined : await startNginxProxy(nginx, path.join(folder, 'proxy-pass'), upstream.port, await freePort());
  if (comparison !== undefined) cleanups.push(() => comparison.stop());
  else say('no nginx: the proxy is measured alone, without a proxy_pass comparison');

  const proxy = await startProxy({ port: await freePort(), workers: options.workers, dataDir: path.join(folder, 'data'), logFile: path.join(RESULTS, 'proxy.log') });
  cleanups.push(() => proxy.stop());
  say(`proxy: node ${path.relative(ROOT, proxyEntry())}, ${options.workers} worker(s), log level warn, on 127.0.0.1:${proxy.port}; load: ${generator.name}`);

  const before = options.before === undefined
    ? undefined
    : await startProxy({ port: await freePort(), workers: options.workers, dataDir: path.join(folder, 'data-before'), logFile: path.join(RESULTS, 'proxy-before.log'), checkout: path.resolve(options.before), nodeFlags: options.beforeNodeFlags });
  if (before !== undefined) {
    cleanups.push(() => before.stop());
    const flags = options.beforeNodeFlags === undefined ? '' : `, node flags ${options.beforeNodeFlags.join(' ') || '(none)'} in place of ${NODE_FLAGS.join(' ')}`;
    say(`proxy before: ${proxyEntry(path.resolve(options.before ?? ''))} on 127.0.0.1:${before.port}${flags}, measured in the same rounds`);
  }

  const bareHop = options.bareHop ? await startBareHop(await freePort(), `http://127.0.0.1:${upstream.port}`, path.join(RESULTS, 'bare-hop.log')) : undefined;
  if (bareHop !== undefined) cleanups.push(() => bareHop.stop());

  const proxyTarget: Target = { name: 'proxy', url: `http://127.0.0.1:${proxy.port}`, pid: proxy.pid };
  const beforeTarget: Target | undefined = before === undefined ? undefined : { name: 'proxy before', url: `http://127.0.0.1:${before.port}`, pid: before.pid };
  const bareHopTarget: Target | undefined = bareHop === undefined ? undefined : { name: 'bare hop', url: `http://127.0.0.1:${bareHop.port}`, pid: bareHop.pid };
  const nginxTarget: Target | undefined = comparison === undefined ? undefined : { name: 'nginx', url: `http://127.0.0.1:${comparison.port}`, pid: comparison.pid };
  const targets: ScenarioTargets = { proxy: proxyTarget, before: beforeTarget, bareHop: bareHopTarget, nginx: nginxTarget };
  const envelopeTargets = [proxyTarget, beforeTarget, bareHopTarget].filter((target): target is Target => target !== undefined);
  const scenarios = makeScenarios(documents, `http://127.0.0.1:${upstream.port}`).filter((scenario) => options.scenarios.includes(scenario.key));
  const perTarget = options.warmup + options.rounds * options.duration;
  say(`${scenarios.length * [...envelopeTargets, nginxTarget].filter(Boolean).length * perTarget} s of load to go`);

  const figures: ScenarioFigures[] = [];
  for (const scenario of scenarios) {
    await checkAnswers(scenario, envelopeTargets, nginxTarget?.url);
    figures.push(await measureScenario(scenario, targets, options, generator, folder));
  }

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine,
    upstream: upstreamName,
    loadGenerator: generator.name,
    nginx: nginx?.version,
    settings: {
      workers: options.workers,
      connections: options.connections,
      threads: options.threads,
      warmupSeconds: options.warmup,
      rounds: options.rounds,
      roundSeconds: options.duration,
      bareHop: options.bareHop,
      before: options.before,
      beforeNodeFlags: options.beforeNodeFlags,
    },
    scenarios: figures,
  };
  const floors = checkFloors(figures);
  process.stdout.write(`\n${renderTable(report, floors)}`);
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify({ ...report, floors }, null, 2)}\n`);
  say(`written: bench/results/latest.json`);
}

/** What a scenario loads: the proxy, and the proxy before, the bare hop and nginx when they run. */
interface ScenarioTargets {
  readonly proxy: Target;
  readonly before: Target | undefined;
  readonly bareHop: Target | undefined;
  readonly nginx: Target | undefined;
}

/** Warm-up for each target, then the rounds: proxy, (proxy before, bare hop,) nginx, proxy … so all see the same machine. */
async function measureScenario(scenario: Scenario, targets: ScenarioTargets, options: BenchOptions, generator: LoadGenerator, folder: string): Promise<ScenarioFigures> {
  const prepare = (target: Target, load: LoadTarget) => ({ target, load, file: bodyFile(folder, `${scenario.key}-${target.name.replaceAll(' ', '-')}`, load), rounds: [] as LoadResult[], rss: 0, cpu: { seconds: 0, calls: 0 } });
  const proxyRun = prepare(targets.proxy, scenario.proxied);
  const beforeRun = targets.before === undefined ? undefined : prepare(targets.before, scenario.proxied);
  const bareHopRun = targets.bareHop === undefined ? undefined : prepare(targets.bareHop, scenario.proxied);
  const nginxRun = targets.nginx === undefined ? undefined : prepare(targets.nginx, scenario.direct);
  const runs = [proxyRun, beforeRun, bareHopRun, nginxRun].filter((run) => run !== undefined);
  const runOnce = async (run: (typeof runs)[number], seconds: number): Promise<LoadResult> => {
    const memory = sampleResidentMemory(run.target.pid);
    const cpuBefore = treeCpuSeconds(run.target.pid);
    try {
      const result = await generator.run({
        url: `${run.target.url}${run.load.path}`,
        method: run.load.method,
        bodyFile: run.file,
        connections: options.connections,
        threads: options.threads,
        durationSeconds: seconds,
      });
      run.cpu.seconds += treeCpuSeconds(run.target.pid) - cpuBefore;
      run.cpu.calls += result.callsPerSecond * seconds;
      return result;
    } finally {
      run.rss = Math.max(run.rss, memory.stop());
    }
  };
  if (options.warmup > 0) for (const run of runs) await runOnce(run, options.warmup);
  // The CPU per call counts the measured rounds only.
  for (const run of runs) run.cpu = { seconds: 0, calls: 0 };
  for (let round = 1; round <= options.rounds; round += 1) {
    // With --before, the two proxies take turns going first (A B, B A, …): on a busy machine the
    // first target of a round was measured up to 20 % off the second whatever the code.
    const order = beforeRun !== undefined && round % 2 === 0 ? [beforeRun, proxyRun, ...runs.slice(2)] : runs;
    for (const run of order) {
      const result = await runOnce(run, options.duration);
      run.rounds.push(result);
      say(`${scenario.title}, ${run.target.name}, round ${round}/${options.rounds}: ${Math.round(result.callsPerSecond)} calls/s, p99 ${result.p99Ms.toFixed(1)} ms`);
    }
  }
  const figuresOf = (run: (typeof runs)[number] | undefined): TargetFigures | undefined => (run === undefined ? undefined : summarize(run.rounds, run.rss, run.cpu));
  const proxy = summarize(proxyRun.rounds, proxyRun.rss, proxyRun.cpu);
  const before = figuresOf(beforeRun);
  const bareHop = figuresOf(bareHopRun);
  const nginx = figuresOf(nginxRun);
  const toNginx = (figures: TargetFigures | undefined): number | undefined => (figures === undefined || nginx === undefined ? undefined : figures.callsPerSecond / nginx.callsPerSecond);
  return {
    key: scenario.key,
    title: scenario.title,
    proxy,
    nginx,
    ratio: toNginx(proxy),
    ...(before !== undefined && { before, beforeRatio: toNginx(before) }),
    ...(bareHop !== undefined && { bareHop, bareHopRatio: toNginx(bareHop) }),
  };
}

/** The request body as a file for the load generator (undefined for a GET). */
function bodyFile(folder: string, name: string, load: LoadTarget): string | undefined {
  if (load.body === undefined) return undefined;
  const file = path.join(folder, `${name}.json`);
  writeFileSync(file, load.body);
  return file;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      say(`while stopping: ${(error as Error).message}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping everything`);
    void cleanUp().then(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    say(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  })
  .finally(cleanUp);
