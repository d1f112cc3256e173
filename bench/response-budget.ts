/**
 * Resident memory of the proxy while many calls read large third-party answers at once: 20
 * concurrent `http/GetRequest` calls for a 45 MB answer (JSON, then text), with the default
 * `CONNECTOR_PROXY_MAX_BUFFERED_BYTES` and, for comparison, with a budget too large to matter
 * (every answer held at once, as before the budget). Reports, per run, the calls answered whole
 * and refused (`ResponseBudgetExceeded`) and the proxy's peak resident memory (VmHWM from
 * /proc). Everything on 127.0.0.1; about a minute.
 *
 *   npm run bench:budget                      # builds first
 *   npm run bench:budget -- --no-build --calls 10
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './ports.js';
import { startProxy } from './proxy-process.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '20' }, 'answer-mb': { type: 'string', default: '45' }, 'no-build': { type: 'boolean', default: false } },
});
const calls = Number(values.calls);
const answerBytes = Number(values['answer-mb']) * 1_000_000;
if (!(calls >= 1 && calls <= 64) || !(answerBytes >= 1_000_000 && answerBytes <= 200_000_000)) {
  console.error('--calls must be in [1, 64] and --answer-mb in [1, 200]');
  process.exit(2);
}
/** Far above the time the largest run takes: the runs differ only in their budget, never by a call timing out. */
const CALL_TIMEOUT_MS = 180_000;
const PROXY_TIMEOUTS = { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '150000', CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '160000' };

const json = Buffer.from(`{"filler":"${'j'.repeat(answerBytes - 14)}"}`);
const text = Buffer.alloc(answerBytes, 't');

/** The third party: the large answers, each with its Content-Length, as fast as the proxy reads them. */
function startUpstream(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const body = req.url === '/text' ? text : json;
    res.writeHead(200, { 'content-type': req.url === '/text' ? 'text/plain' : 'application/json', 'content-length': String(body.length) });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** One call; the answer is read to its end and dropped, keeping only the error code near its end. */
function callProxy(proxyPort: number, upstreamUrl: string): Promise<string> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ url: upstreamUrl });
    const req = request(
      { host: '127.0.0.1', port: proxyPort, method: 'POST', path: '/v1/do/http/GetRequest', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: CALL_TIMEOUT_MS },
      (res) => {
        let tail = '';
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          tail = (tail + chunk.toString('latin1')).slice(-2000);
        });
        res.on('end', () => resolve(/"error_code":"([^"]+)"/.exec(tail)?.[1] ?? (bytes > answerBytes ? 'whole' : `short answer (${bytes} bytes)`)));
        res.on('error', (error) => resolve(`client error ${error.message}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve(`client error ${error.message}`));
    req.end(body);
  });
}

function peakResidentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

async function run(label: string, env: Record<string, string>, upstreamPath: string, upstreamPort: number): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-budget-bench-'));
  const port = await freePort();
  const proxy = await startProxy({ port, workers: 1, dataDir, logFile: path.join(dataDir, 'proxy.log'), env: { ...PROXY_TIMEOUTS, ...env } });
  try {
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: calls }, () => callProxy(port, `http://127.0.0.1:${upstreamPort}${upstreamPath}`)));
    const seconds = (performance.now() - started) / 1000;
    const counts = new Map<string, number>();
    for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    const summary = [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
    console.log(`${label.padEnd(44)} peak VmHWM ${peakResidentMegabytes(proxy.pid).toFixed(0).padStart(5)} MB   ${seconds.toFixed(1)} s   ${summary}`);
  } finally {
    await proxy.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!values['no-build'] && spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const upstreamPort = await freePort();
const upstream = await startUpstream(upstreamPort);
console.log(`${calls} concurrent GETs of a ${answerBytes / 1e6} MB answer through one proxy process`);
try {
  for (const [kind, upstreamPath] of [['JSON', '/json'], ['text', '/text']] as const) {
    await run(`${kind}, default budget (256 MiB)`, {}, upstreamPath, upstreamPort);
    await run(`${kind}, budget 8 GiB (no bound in effect)`, { CONNECTOR_PROXY_MAX_BUFFERED_BYTES: String(8 * 1024 ** 3) }, upstreamPath, upstreamPort);
  }
} finally {
  upstream.close();
}
