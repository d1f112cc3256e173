/**
 * Helpers for testing connectors against a real proxy (`startProxy`), imported from
 * `@connector-proxy/server/testing`.
 *
 * @example
 * const logs = new LogCapture();
 * const proxy = await startProxy({ connectors: [weather], logStream: logs });
 * const answer = await callCommand(proxy.url, 'weather/Forecast', { city: 'Oslo' });
 * assert.equal(answer.envelope.error, null);
 * assert.doesNotMatch(logs.text, /secret/);
 */
import assert from 'node:assert/strict';
import { SdkErrorCodes, type Envelope } from '@connector-proxy/sdk';
import { startProxy, type ProxyOptions, type RunningProxy } from './proxy.js';

/** Collects the proxy's pino JSON lines in memory: quiet test output, and assertions on what was (not) logged. */
export class LogCapture {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  /** Every line, as one string. */
  get text(): string {
    return this.lines.join('');
  }

  /** Every line, parsed. */
  records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** What a proxy answered to one command call. */
export interface CommandAnswer {
  status: number;
  headers: Headers;
  envelope: Envelope;
  elapsedMs: number;
}

/** `POST {baseUrl}/v1/do/{commandId}` with `params` as the JSON body, as the engine calls it (10 s bound). */
export async function callCommand(baseUrl: string, commandId: string, params: Record<string, unknown>, headers: Record<string, string> = {}): Promise<CommandAnswer> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/do/${commandId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(10_000),
  });
  const envelope = (await response.json()) as Envelope;
  return { status: response.status, headers: response.headers, envelope, elapsedMs: performance.now() - started };
}

/**
 * Asserts that the proxy's egress policy refused the call: `EgressDenied` with the third party's
 * status 403, which the engine does not retry, and a message that says so.
 *
 * @example
 * const fenced = await startProxy({ connectors: [smtp], env: { CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' } });
 * assertEgressDenied(await callCommand(fenced.url, 'smtp/SendEmail', { smtp_host: '127.0.0.1', ... }));
 */
export function assertEgressDenied(answer: CommandAnswer): void {
  const seen = JSON.stringify(answer.envelope);
  assert.equal(answer.status, 200, `the command ran, so the proxy answers 200: ${seen}`);
  assert.equal(answer.envelope.error?.error_code, SdkErrorCodes.egressDenied, seen);
  assert.equal(answer.envelope.command_response.http_status, 403, 'permanent: the engine does not retry a 403');
  assert.match(answer.envelope.error.message, /not allowed by this proxy's egress policy/);
}

/**
 * Proxies a test file starts, each with settings of its own over shared options, and closes
 * together after its tests.
 *
 * @example
 * const proxies = new TestProxies({ connectors: [smtp], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '3000' } });
 * after(() => proxies.close());
 * const fenced = await proxies.start({ CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' });
 */
export class TestProxies {
  readonly #options: ProxyOptions;
  readonly #running: RunningProxy[] = [];

  constructor(options: ProxyOptions = {}) {
    this.#options = options;
  }

  /** Starts one more proxy with `env` over the shared environment (and its own log stream, if given). */
  async start(env: Record<string, string> = {}, logStream = this.#options.logStream): Promise<RunningProxy> {
    const proxy = await startProxy({ ...this.#options, env: { ...this.#options.env, ...env }, logStream });
    this.#running.push(proxy);
    return proxy;
  }

  /** Closes every proxy started so far. */
  async close(): Promise<void> {
    await Promise.all(this.#running.splice(0).map((proxy) => proxy.close()));
  }
}

/**
 * Calls `find` every `intervalMs` until it answers something other than `undefined`, and answers
 * that. After `timeoutMs` it throws an error with `failure()`, which may say what was seen last.
 *
 * @example
 * const delivery = await pollUntil(() => receiver.deliveries.find((d) => d.path === '/cb'), () => 'no callback for /cb');
 */
export async function pollUntil<T>(
  find: () => T | undefined | Promise<T | undefined>,
  failure: () => string,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(failure());
}
