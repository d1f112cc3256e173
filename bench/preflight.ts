/**
 * Before a scenario is measured, one call through each target must give the right answer: a
 * load generator counts statuses, and the proxy answers 200 even when the upstream failed (the
 * failure is in the envelope), so without this a broken setup would be measured as a fast one.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoadTarget, Scenario } from './scenarios.js';

/** `envelopeTargets`: the proxy, and the bare hop when it runs, by name and base URL. */
export async function checkAnswers(scenario: Scenario, envelopeTargets: ReadonlyArray<{ name: string; url: string }>, nginxUrl: string | undefined): Promise<void> {
  for (const { name, url } of envelopeTargets) await checkEnvelope(scenario, name, url);
  if (nginxUrl === undefined) return;
  const direct = await send(nginxUrl, scenario.direct);
  if (direct.status !== 200 || direct.text !== scenario.upstreamAnswer) {
    throw new Error(`${scenario.title}: nginx proxy_pass answered ${direct.status} ${direct.text.slice(0, 500)}`);
  }
}

async function checkEnvelope(scenario: Scenario, name: string, url: string): Promise<void> {
  const proxied = await send(url, scenario.proxied);
  const envelope = JSON.parse(proxied.text) as { error: unknown; command_response?: { http_status?: number; body?: unknown } };
  if (proxied.status !== 200 || envelope.error !== null || envelope.command_response?.http_status !== 200) {
    throw new Error(`${scenario.title}: ${name} answered ${proxied.status} ${proxied.text.slice(0, 500)}`);
  }
  if (!isDeepStrictEqual(envelope.command_response.body, scenario.envelopeBody)) {
    throw new Error(`${scenario.title}: the envelope of ${name} does not carry the upstream's answer`);
  }
}

async function send(baseUrl: string, target: LoadTarget): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}${target.path}`, {
    method: target.method,
    headers: target.body === undefined ? {} : { 'content-type': 'application/json' },
    body: target.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}
