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
import type { Envelope } from '@connector-proxy/sdk';

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
