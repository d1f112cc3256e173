/**
 * `npm run bench:typeahead`: one category of 1,000,000 items generated into a temporary folder,
 * the built proxy started on it as `npm start` runs it, then look-ups over HTTP with random
 * prefixes. Prints how long the start took and what it holds in memory, with and without the
 * data, and per kind of prefix the look-ups per second and their p50 and p99. Only 127.0.0.1;
 * every phase is bounded in time and count, so the run ends by itself (about a minute).
 *
 *   npm run bench:typeahead
 *   npm run bench:typeahead -- --items 200000 --seconds 2 --callers 4 --no-build
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.js';
import { peakResidentBytes, treeResidentBytes } from './memory.js';
import { freePort } from './ports.js';
import { startProxy, type RunningProxy } from './proxy-process.js';
import { grid } from './table.js';
import { seededRandom, writeCategory, type GeneratedCategory } from './typeahead-data.js';
import { runLookups, type LookupFigures } from './typeahead-lookups.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = path.join(ROOT, 'bench', 'results');
const CATEGORY = 'places';
const SEED = 20_261_207;
/** What SpiffArena's form widget asks for. */
const WIDGET_LIMIT = 100;
const MAX_LOOKUPS_PER_PHASE = 500_000;
/** Idle time after the start before memory is read again: V8 gives back what loading used in its own time. */
const SETTLE_MS = 5_000;
const MB = 1024 * 1024;
/** A million items load in seconds; a busy machine (other work on the cores) can make it much longer. */
const START_TIMEOUT_MS = 180_000;

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '3' },
    callers: { type: 'string', default: '8' },
    'no-build': { type: 'boolean', default: false },
  },
});
const items = Number(values.items);
const seconds = Number(values.seconds);
const callers = Number(values.callers);
if (!(Number.isInteger(items) && items >= 1000 && items <= 5_000_000) || !(seconds > 0 && seconds <= 30) || !(Number.isInteger(callers) && callers >= 1 && callers <= 64)) {
  console.error('--items must be from 1000 to 5000000, --seconds in (0, 30], --callers from 1 to 64');
  process.exit(2);
}

/** A kind of prefix the bench asks for. */
interface PrefixKind {
  readonly title: string;
  readonly limit: number;
  readonly next: () => string;
}

async function main(): Promise<void> {
  if (!values['no-build']) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const machine = await describeMachine();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'connector-proxy-bench-typeahead-'));
  let proxy: RunningProxy | undefined;
  try {
    const dataDir = path.join(folder, 'typeahead');
    mkdirSync(dataDir);
    const started = performance.now();
    const category = writeCategory(dataDir, CATEGORY, items, SEED);
    say(`generated ${items.toLocaleString('en-US')} items, ${(category.bytes / MB).toFixed(1)} MB of JSON, in ${seconds1(performance.now() - started)}`);

    const bare = await measureStart(folder, 'without-data', {});
    await bare.proxy.stop();
    say(`without data: started in ${seconds1(bare.startMs)}, resident ${mb(bare.rssBytes)}`);

    const loaded = await measureStart(folder, 'with-data', { CONNECTOR_PROXY_TYPEAHEAD_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'info' });
    proxy = loaded.proxy;
    const logged = loadLogLine(path.join(folder, 'with-data.log'));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const settledRss = treeResidentBytes(proxy.pid);
    say(`with data: started in ${seconds1(loaded.startMs)} (the proxy logged ${logged.ms} ms for loading, ${logged.cpuMs} ms of CPU), resident ${mb(loaded.rssBytes)} at once, ${mb(settledRss)} after ${SETTLE_MS / 1000} s, peak ${mb(peakResidentBytes(proxy.pid))}; the index itself ${logged.megabytes} MB`);

    const origin = `http://127.0.0.1:${proxy.port}`;
    await checkAnswers(origin, category);
    const kinds = prefixKinds(category);
    // Warm-up, not measured: V8 compiles the hot paths.
    await runLookups({ origin, category: CATEGORY, prefix: kinds[0]!.next, limit: WIDGET_LIMIT, callers, seconds: 1, maxLookups: MAX_LOOKUPS_PER_PHASE });
    const rows: Array<{ kind: PrefixKind; callers: number; figures: LookupFigures }> = [];
    for (const kind of kinds) {
      for (const concurrency of [1, callers]) {
        const figures = await runLookups({ origin, category: CATEGORY, prefix: kind.next, limit: kind.limit, callers: concurrency, seconds, maxLookups: MAX_LOOKUPS_PER_PHASE });
        rows.push({ kind, callers: concurrency, figures });
      }
    }
    const afterRss = treeResidentBytes(proxy.pid);
    const peakRss = peakResidentBytes(proxy.pid);

    const table = grid(
      [
        ['prefix', 'limit', 'callers', 'lookups/s', 'p50 ms', 'p99 ms', 'KB/answer', 'errors'],
        ...rows.map(({ kind, callers: concurrency, figures }) => [
          kind.title,
          String(kind.limit),
          String(concurrency),
          Math.round(figures.lookupsPerSecond).toLocaleString('en-US'),
          figures.p50Ms.toFixed(3),
          figures.p99Ms.toFixed(3),
          (figures.meanBytes / 1024).toFixed(1),
          String(figures.errors),
        ]),
      ],
      1,
    );
    console.log(
      [
        '',
        `typeahead: ${items.toLocaleString('en-US')} items in one category (${(category.bytes / MB).toFixed(1)} MB file); ${seconds} s per row; machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, cores ${Math.round(machine.busyAtStart * 100)} % busy at start`,
        `start: ${seconds1(bare.startMs)} without data, ${seconds1(loaded.startMs)} with (loading: ${logged.ms} ms as the proxy logged it, ${logged.cpuMs} ms of CPU)`,
        `resident memory: ${mb(bare.rssBytes)} without data; with: ${mb(loaded.rssBytes)} at once, ${mb(settledRss)} ${SETTLE_MS / 1000} s later, ${mb(afterRss)} after the look-ups; peak ${mb(peakRss)} (while loading); index ${logged.megabytes} MB`,
        '',
        ...table,
        '',
      ].join('\n'),
    );
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      path.join(RESULTS, 'typeahead.json'),
      `${JSON.stringify(
        {
          items,
          fileBytes: category.bytes,
          machine,
          startMs: { withoutData: bare.startMs, withData: loaded.startMs, loadLogged: logged.ms, loadCpu: logged.cpuMs },
          residentBytes: { withoutData: bare.rssBytes, afterLoad: loaded.rssBytes, settled: settledRss, afterLookups: afterRss, peak: peakRss },
          indexMegabytes: logged.megabytes,
          rows: rows.map(({ kind, callers: concurrency, figures }) => ({ prefix: kind.title, limit: kind.limit, callers: concurrency, ...figures })),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await proxy?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Starts the proxy, timing from the spawn to its port answering; resident memory then. */
async function measureStart(folder: string, name: string, env: Record<string, string>): Promise<{ proxy: RunningProxy; startMs: number; rssBytes: number }> {
  const port = await freePort();
  const started = performance.now();
  const proxy = await startProxy({ port, workers: 1, dataDir: path.join(folder, `${name}-data`), logFile: path.join(folder, `${name}.log`), env, startTimeoutMs: START_TIMEOUT_MS });
  const startMs = performance.now() - started;
  return { proxy, startMs, rssBytes: treeResidentBytes(proxy.pid) };
}

/** The proxy's own account of the load (proxy.ts logs it at info). */
function loadLogLine(logFile: string): { ms: number; cpuMs: number; megabytes: number } {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('typeahead data loaded')) continue;
    const record = JSON.parse(line) as { ms: number; cpuMs: number; megabytes: number };
    return { ms: record.ms, cpuMs: record.cpuMs, megabytes: record.megabytes };
  }
  throw new Error(`the proxy logged no 'typeahead data loaded' line: see ${logFile}`);
}

/**
 * Short prefixes match many items (an answer of `limit` results), long ones few. Prefixes are cut
 * from the search terms of random items, so each matches something, and written in random case.
 */
function prefixKinds(category: GeneratedCategory): PrefixKind[] {
  const random = seededRandom(SEED + 1);
  const cut = (length: number) => (): string => {
    const term = category.terms[Math.floor(random() * category.terms.length)]!;
    const prefix = term.slice(0, length);
    return random() < 0.5 ? prefix.toLowerCase() : prefix.toUpperCase();
  };
  const letters = 'abcdefghijklmnopqrstuvwxyzåéö';
  const noise = (): string => Array.from({ length: 1 + Math.floor(random() * 3) }, () => letters[Math.floor(random() * letters.length)]).join('');
  return [
    { title: '1 character', limit: WIDGET_LIMIT, next: cut(1) },
    { title: '2 characters', limit: WIDGET_LIMIT, next: cut(2) },
    { title: '3 characters', limit: WIDGET_LIMIT, next: cut(3) },
    { title: '8 characters', limit: WIDGET_LIMIT, next: cut(8) },
    { title: '1-3 random letters (some match nothing)', limit: WIDGET_LIMIT, next: noise },
    { title: '1 character, the largest limit', limit: 1000, next: cut(1) },
  ];
}

/**
 * Before anything is measured: a few answers must be exactly what filtering and sorting the
 * generated items gives (the terms lower-case as the proxy folds them: no ß, no final sigma).
 */
async function checkAnswers(origin: string, category: GeneratedCategory): Promise<void> {
  const sample = category.terms[Math.floor(category.terms.length / 3)]!;
  for (const prefix of ['K', 'bé', 'STa', sample.slice(0, 7).toUpperCase(), 'xyz']) {
    const response = await fetch(`${origin}/v1/typeahead/${CATEGORY}?prefix=${encodeURIComponent(prefix)}&limit=${WIDGET_LIMIT}`, { signal: AbortSignal.timeout(10_000) });
    const ids = ((await response.json()) as Array<{ id: number }>).map((result) => result.id);
    const expected = category.terms
      .map((term, id) => ({ id, term, key: term.toLowerCase() }))
      .filter(({ key }) => key.startsWith(prefix.toLowerCase()))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.term < b.term ? -1 : a.term > b.term ? 1 : a.id - b.id))
      .slice(0, WIDGET_LIMIT)
      .map(({ id }) => id);
    if (response.status !== 200 || JSON.stringify(ids) !== JSON.stringify(expected)) {
      throw new Error(`prefix ${JSON.stringify(prefix)}: the proxy answered ${response.status} with ${ids.length} results, not the ${expected.length} expected: nothing measured`);
    }
  }
  say('answers checked: 5 prefixes answered exactly as filtering and sorting the file does');
}

function say(message: string): void {
  console.log(`typeahead bench: ${message}`);
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(0)} MB`;
}

function seconds1(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
