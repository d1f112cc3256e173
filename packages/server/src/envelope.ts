import { isCommandError, rawJsonContent, type CommandError, type CommandResult, type Envelope } from '@connector-proxy/sdk';

const JSON_MIMETYPE = 'application/json';

/** The version-2 envelope of a command that ran to completion. */
export function resultEnvelope(result: CommandResult, logs: string[]): Envelope {
  const response: Envelope['command_response'] = {
    body: result.body,
    mimetype: result.mimetype ?? JSON_MIMETYPE,
    headers: result.headers ?? {},
  };
  if (result.httpStatus !== undefined) response.http_status = result.httpStatus;
  return { command_response: response, command_response_version: 2, error: null, spiff__logs: logs };
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
    envelope: {
      command_response: response,
      command_response_version: 2,
      error: { error_code: known.code, message: known.message },
      spiff__logs: logs,
    },
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

/** The envelope's JSON as one string or buffer, for a consumer that takes no parts. */
export function joinedEnvelope(json: EnvelopeJson): string | Buffer {
  return typeof json === 'string' ? json : Buffer.concat(json);
}
