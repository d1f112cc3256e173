import { isCommandError, rawJsonContent, type CommandError, type CommandResult, type Envelope, type OAuthTokenRefresh } from '@connector-proxy/sdk';

const JSON_MIMETYPE = 'application/json';

/** The version-2 envelope of a command that ran to completion. */
export function resultEnvelope(result: CommandResult, logs: string[]): Envelope {
  const response: Envelope['command_response'] = {
    body: result.body,
    mimetype: result.mimetype ?? JSON_MIMETYPE,
    headers: result.headers ?? {},
  };
  if (result.httpStatus !== undefined) response.http_status = result.httpStatus;
  return withTokenRefresh({ command_response: response, command_response_version: 2, error: null, spiff__logs: logs }, result.tokenRefresh);
}

/** Adds a refreshed token set for the engine to store (see {@link serializeEnvelope} for its wire form). */
function withTokenRefresh(envelope: Envelope, refresh: OAuthTokenRefresh | undefined): Envelope {
  if (refresh === undefined) return envelope;
  return { ...envelope, auth: refresh.auth, refreshed_token_set: refresh.tokenSet };
}

/** How an error is answered: the one place an error becomes a status, headers and an envelope. */
export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  envelope: Envelope;
}

/** Maps a {@link CommandError} to its reply. `fallback` makes the reply for anything else (a bug). */
export function errorReply(error: unknown, logs: string[], fallback: () => CommandError): ErrorReply {
  const known = isCommandError(error) ? error : fallback();
  const response: Envelope['command_response'] = {
    body: known.body ?? {},
    mimetype: JSON_MIMETYPE,
    headers: known.headers ?? {},
  };
  if (known.httpStatus !== undefined) response.http_status = known.httpStatus;
  const headers: Record<string, string> = {};
  if (known.retryAfterSeconds !== undefined) headers['retry-after'] = String(known.retryAfterSeconds);
  return {
    status: known.status,
    headers,
    envelope: withTokenRefresh(
      {
        command_response: response,
        command_response_version: 2,
        error: { error_code: known.code, message: known.message },
        spiff__logs: logs,
      },
      known.tokenRefresh,
    ),
  };
}

/** The envelope's JSON: text, or the parts of its UTF-8 bytes, to be written one after the other. */
export type EnvelopeJson = string | readonly Uint8Array[];

const HEAD = '{"command_response":{"body":';
const HEAD_BYTES = Buffer.from(HEAD);

/**
 * The envelope as JSON. A `rawJson` body is spliced in as it is rather than parsed and
 * serialized again; everything else is `JSON.stringify`ed. A body of bytes makes the answer
 * parts (head, the body's chunks, tail), never joined: a large answer is not copied again.
 */
export function serializeEnvelope(envelope: Envelope): EnvelopeJson {
  if (envelope.refreshed_token_set !== undefined) return refreshEnvelopeJson(envelope);
  const response = envelope.command_response;
  const raw = rawJsonContent(response.body);
  const body = raw ?? JSON.stringify(response.body ?? {});
  const httpStatus = response.http_status === undefined ? '' : `,"http_status":${response.http_status}`;
  const tail =
    `,"mimetype":${JSON.stringify(response.mimetype)}${httpStatus},` +
    `"headers":${JSON.stringify(response.headers)}},"command_response_version":2,` +
    `"error":${JSON.stringify(envelope.error)},"spiff__logs":${JSON.stringify(envelope.spiff__logs)}}`;
  if (typeof body === 'string') return HEAD + body + tail;
  return [HEAD_BYTES, ...(body instanceof Uint8Array ? [body] : body), Buffer.from(tail)];
}

/**
 * An envelope carrying a refreshed token set, in the shape SpiffArena's backend stores
 * (services/service_task_delegate.py, end of `call_connector`): top-level `auth`,
 * `refreshed_token_set` and `api_response`, the last being `command_response` (the engine's
 * result, as on its usual path). Without `spiff__logs`: when that key is present the backend
 * replaces the whole answer by `api_response` before it looks for `refreshed_token_set`, and
 * the refreshed set would be silently dropped. The lines are still in the proxy's own log.
 */
function refreshEnvelopeJson(envelope: Envelope): string {
  // A rare answer: a rawJson body is parsed back (its toJSON) rather than spliced twice.
  const commandResponse = JSON.stringify(envelope.command_response);
  return (
    `{"command_response":${commandResponse},"command_response_version":2,"error":${JSON.stringify(envelope.error)},` +
    `"auth":${JSON.stringify(envelope.auth)},"refreshed_token_set":${JSON.stringify(envelope.refreshed_token_set)},"api_response":${commandResponse}}`
  );
}

/** The envelope's JSON as one string or buffer, for a consumer that takes no parts. */
export function joinedEnvelope(json: EnvelopeJson): string | Buffer {
  return typeof json === 'string' ? json : Buffer.concat(json);
}
