import { Agent, request } from 'undici';
import { redactUrl, reportedCommandError, type EgressPolicy, type Envelope } from '@connector-proxy/sdk';
import { joinedEnvelope, serializeEnvelope } from '../envelope.js';
import { describeDeliveryFailure } from './delivery-failure.js';

/** How one delivery went. `transient` failures are retried; the others end the job. */
export type DeliveryResult = { ok: true } | { ok: false; transient: boolean; error: string };

/** A SpiffArena service account's key, and the origins it may be sent to. */
export interface CallbackApiKey {
  key: string;
  origins: readonly string[];
}

/** Statuses worth retrying: the receiver is overloaded, restarting or briefly unavailable. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);

/** The header SpiffArena reads a service account's API key from (its routes/authentication_controller.py). */
const API_KEY_HEADER = 'spiffworkflow-api-key';

/** Enough of a refusal's body to read SpiffArena's `error_code`, and no more. */
const MAX_REFUSAL_BYTES = 4096;

/**
 * Sends a job's envelope to the engine: `PUT {callback_url}` with the envelope as JSON, the job id
 * as `Idempotency-Key` (so a receiver can drop the duplicates at-least-once delivery makes) and,
 * when configured, the service account's key SpiffArena's callback route requires.
 */
export class CallbackClient {
  private readonly agent: Agent;

  /** `apiKey`: sent only to callback URLs of these origins (a job accepted before they changed may point elsewhere). */
  constructor(private readonly timeoutMs: number, private readonly egress: EgressPolicy, private readonly apiKey: CallbackApiKey | undefined) {
    this.agent = new Agent({ connect: { timeout: timeoutMs, lookup: egress.lookup }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  private headers(callbackUrl: string, jobId: string): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': jobId };
    if (this.apiKey !== undefined && this.apiKey.origins.includes(new URL(callbackUrl).origin)) headers[API_KEY_HEADER] = this.apiKey.key;
    return headers;
  }

  async deliver(callbackUrl: string, envelope: Envelope, jobId: string): Promise<DeliveryResult> {
    try {
      this.egress.assertHostAllowed(new URL(callbackUrl).hostname);
      const response = await request(callbackUrl, {
        method: 'PUT',
        dispatcher: this.agent,
        headers: this.headers(callbackUrl, jobId),
        body: joinedEnvelope(serializeEnvelope(envelope)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        await response.body.dump();
        return { ok: true };
      }
      const code = await refusalCode(response.body);
      return { ok: false, transient: status >= 500 || TRANSIENT_STATUSES.has(status), error: refusalMessage(where(callbackUrl), status, code) };
    } catch (error) {
      // The egress policy will not change its mind: retrying a denied callback is pointless.
      const denied = reportedCommandError(error);
      if (denied !== undefined) return { ok: false, transient: false, error: `the callback URL ${where(callbackUrl)}: ${denied.message}` };
      return { ok: false, transient: true, error: `the callback URL ${where(callbackUrl)} ${describeDeliveryFailure(error, this.timeoutMs)}` };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * What a refusal means for whoever reads `last_error`. SpiffArena answers 401 `invalid_token`
 * without a valid service account key, 403 when that account may not complete tasks, and 400
 * when it rejects the content (`invalid_mimetype`, `invalid_callback_body`, `callback_not_found`).
 */
function refusalMessage(url: string, status: number, code: string | undefined): string {
  const answered = `the callback URL ${url} answered ${status}${code === undefined ? '' : ` ${code}`}`;
  if (status === 401) return `${answered}: set CONNECTOR_PROXY_CALLBACK_API_KEY to a SpiffArena service account's API key (a missing or unknown key is refused)`;
  if (status === 403) return `${answered}: the service account whose key is CONNECTOR_PROXY_CALLBACK_API_KEY may not complete tasks there (give it update permission on /tasks/*)`;
  if (status === 400) return `${answered}: the receiver rejected the result`;
  return answered;
}

/** The receiver's `error_code`, when its answer is small JSON carrying a plausible one. */
async function refusalCode(body: AsyncIterable<Buffer>): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    // Leaving the loop early destroys the rest of a large answer (and its connection).
    if (size > MAX_REFUSAL_BYTES) break;
  }
  try {
    const code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error_code?: unknown }).error_code;
    // Shown in `last_error`: only an identifier, never whatever text a receiver sends.
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
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
