import { Agent, request } from 'undici';
import { isCommandError, redactUrl, type EgressPolicy, type Envelope } from '@connector-proxy/sdk';
import { joinedEnvelope, serializeEnvelope } from '../envelope.js';

/** How one delivery went. `transient` failures are retried; the others end the job. */
export type DeliveryResult = { ok: true } | { ok: false; transient: boolean; error: string };

/** Statuses worth retrying: the receiver is overloaded, restarting or briefly unavailable. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);

/**
 * Sends a job's envelope to the engine: `PUT {callback_url}` with the envelope as JSON and the
 * job id as `Idempotency-Key`, so a receiver can drop the duplicates at-least-once delivery makes.
 */
export class CallbackClient {
  private readonly agent: Agent;

  constructor(private readonly timeoutMs: number, private readonly egress: EgressPolicy) {
    this.agent = new Agent({ connect: { timeout: timeoutMs, lookup: egress.lookup }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  async deliver(callbackUrl: string, envelope: Envelope, jobId: string): Promise<DeliveryResult> {
    try {
      this.egress.assertHostAllowed(new URL(callbackUrl).hostname);
      const response = await request(callbackUrl, {
        method: 'PUT',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', 'idempotency-key': jobId },
        body: joinedEnvelope(serializeEnvelope(envelope)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true };
      const transient = response.statusCode >= 500 || TRANSIENT_STATUSES.has(response.statusCode);
      return { ok: false, transient, error: `the callback URL ${where(callbackUrl)} answered ${response.statusCode}` };
    } catch (error) {
      // The egress policy will not change its mind: retrying a denied callback is pointless.
      const denied = [error, (error as Error).cause].find(isCommandError);
      if (denied !== undefined) return { ok: false, transient: false, error: `the callback URL ${where(callbackUrl)}: ${denied.message}` };
      const code = (error as { code?: string }).code ?? (error as Error).name;
      return { ok: false, transient: true, error: `the callback URL ${where(callbackUrl)} could not be reached (${code})` };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The callback's origin and path, without credentials or query (which may carry a token). */
function where(callbackUrl: string): string {
  try {
    const url = new URL(redactUrl(callbackUrl));
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
