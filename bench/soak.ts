/**
 * Soak: mixed good and faulty calls through the proxy for a bounded time (10 minutes by
 * default), then resident memory at start and end and the outcomes by kind. Everything on
 * 127.0.0.1; it stops by itself.
 *
 *   npm run bench:soak                       # 10 minutes, 32 callers
 *   npm run bench:soak -- --minutes 1 --callers 16
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { treeResidentBytes } from './memory.js';
import { freePort } from './ports.js';
import { startProxy } from './proxy-process.js';
import { SOAK_PATHS, startSoakUpstream } from './soak-upstream.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, callers: { type: 'string', default: '32' }, 'no-build': { type: 'boolean', default: false } },
});
const minutes = Number(values.minutes);
const callers = Number(values.callers);
if (!(minutes > 0 && minutes <= 60) || !(callers >= 1 && callers <= 256)) {
  console.error('--minutes must be in (0, 60] and --callers in [1, 256]');
  process.exit(2);
}

/** Good calls dominate, as in production; every fault is in the mix all the time. */
const MIX: ReadonlyArray<[path: string, weight: number]> = SOAK_PATHS.map((p) => [p, p === '/ok' ? 12 : p === '/slow' ? 4 : 1]);
const TOTAL_WEIGHT = MIX.reduce((sum, [, weight]) => sum + weight, 0);
const SAMPLE_MS = 10_000;

function pickPath(): string {
  let pick = Math.random() * TOTAL_WEIGHT;
  for (const [candidate, weight] of MIX) {
    pick -= weight;
    if (pick < 0) return candidate;
  }
  return '/ok';
}

async function main(): Promise<void> {
  if (!values['no-build']) {
    const { spawnSync } = await import('node:child_process');
    if (spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' }).status !== 0) process.exit(1);
  }
  const folder = mkdtempSync(path.join(tmpdir(), 'connector-proxy-soak-'));
  const upstream = await startSoakUpstream();
  const port = await freePort();
  const proxy = await startProxy({
    port,
    workers: 1,
    dataDir: path.join(folder, 'data'),
    logFile: path.join(folder, 'proxy.log'),
    env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '1000', CONNECTOR_PROXY_MAX_RESPONSE_BYTES: String(256 * 1024) },
  });
  const outcomes = new Map<string, number>();
  const count = (kind: string): void => void outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  const rssStart = treeResidentBytes(proxy.pid);
  const samples: number[] = [rssStart];
  const sampler = setInterval(() => samples.push(treeResidentBytes(proxy.pid)), SAMPLE_MS);
  const endAt = Date.now() + minutes * 60_000;
  console.log(`soak: ${minutes} min, ${callers} callers, proxy pid ${proxy.pid}, upstream ${upstream.url}`);

  const caller = async (): Promise<void> => {
    while (Date.now() < endAt) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/do/http/GetRequest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${upstream.url}${pickPath()}`, spiff__task_data: {} }),
          signal: AbortSignal.timeout(10_000),
        });
        const envelope = (await response.json()) as { error: { error_code: string } | null };
        count(`${response.status} ${envelope.error?.error_code ?? 'ok'}`);
      } catch (error) {
        count(`client failure: ${(error as Error).name}`); // the proxy did not answer: what a soak must never see
      }
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  clearInterval(sampler);
  const rssEnd = treeResidentBytes(proxy.pid);
  samples.push(rssEnd);
  await proxy.stop();
  await upstream.close();
  rmSync(folder, { recursive: true, force: true });

  const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  const total = [...outcomes.values()].reduce((sum, n) => sum + n, 0);
  console.log(`\ncalls: ${total} in ${minutes} min (${Math.round(total / (minutes * 60))}/s)`);
  console.log(`resident memory: start ${mb(rssStart)} MB, end ${mb(rssEnd)} MB, max ${mb(Math.max(...samples))} MB`);
  console.log(`resident memory every ${SAMPLE_MS / 1000} s (MB): ${samples.map(mb).join(' ')}`);
  console.log('\noutcome (status error_code)            calls');
  for (const [kind, n] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`${kind.padEnd(40)} ${String(n).padStart(8)}`);
  const failures = [...outcomes].filter(([kind]) => kind.startsWith('client failure') || kind.startsWith('5')).reduce((sum, [, n]) => sum + n, 0);
  console.log(failures === 0 ? '\nno call went unanswered, no 5xx from the proxy' : `\n${failures} calls unanswered or answered 5xx by the proxy`);
}

await main();
