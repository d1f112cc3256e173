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

/**
 * The envelope as JSON: text, or bytes when its body is `rawJson(bytes)`. A `rawJson` body is
 * spliced in as it is rather than parsed and serialized again; everything else is `JSON.stringify`ed.
 */
export function serializeEnvelope(envelope: Envelope): string | Buffer {
  const response = envelope.command_response;
  const raw = rawJsonContent(response.body);
  const body = raw ?? JSON.stringify(response.body ?? {});
  const httpStatus = response.http_status === undefined ? '' : `,"http_status":${response.http_status}`;
  const head = '{"command_response":{"body":';
  const tail =
    `,"mimetype":${JSON.stringify(response.mimetype)}${httpStatus},` +
    `"headers":${JSON.stringify(response.headers)}},"command_response_version":2,` +
    `"error":${JSON.stringify(envelope.error)},"spiff__logs":${JSON.stringify(envelope.spiff__logs)}}`;
  return typeof body === 'string' ? head + body + tail : spliceBytes(head, body, tail);
}

/** `head`, `bytes` and `tail` in one buffer: the bytes are copied once, never decoded. */
function spliceBytes(head: string, bytes: Uint8Array, tail: string): Buffer {
  const tailLength = Buffer.byteLength(tail);
  const out = Buffer.allocUnsafe(head.length + bytes.length + tailLength);
  // `head` is ASCII: its length is its byte length.
  out.write(head, 0, 'latin1');
  out.set(bytes, head.length);
  out.write(tail, head.length + bytes.length, tailLength, 'utf8');
  return out;
}
