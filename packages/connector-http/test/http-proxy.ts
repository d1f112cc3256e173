/** A proxy serving only the http connector, and a way to call its commands over HTTP. */
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import type { Envelope } from '@connector-proxy/sdk';
import http from '@connector-proxy/connector-http';

/** Collects the proxy's pino lines, so tests can check what was (not) logged. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join('');
  }
}

export async function startHttpProxy(env: Record<string, string> = {}, logs = new LogCapture()): Promise<RunningProxy> {
  return startProxy({ connectors: [http], env, logStream: logs });
}

export interface CommandAnswer {
  status: number;
  envelope: Envelope;
  elapsedMs: number;
}

/** `POST /v1/do/http/{command}` with `body` as JSON. */
export async function callCommand(proxy: RunningProxy, command: string, body: Record<string, unknown>): Promise<CommandAnswer> {
  const started = performance.now();
  const response = await fetch(`${proxy.url}/v1/do/http/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const envelope = (await response.json()) as Envelope;
  return { status: response.status, envelope, elapsedMs: performance.now() - started };
}
