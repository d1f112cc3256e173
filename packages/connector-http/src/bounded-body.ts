/**
 * Reading a third party's body with `CONNECTOR_PROXY_MAX_RESPONSE_BYTES` as the bound: memory
 * holds at most the limit plus one chunk, whatever the third party sends (an endless chunked
 * body included).
 */
import { readAtMost } from '@connector-proxy/sdk';

/** What undici's response body offers that this module uses. */
type ResponseBody = AsyncIterable<Buffer> & { arrayBuffer(): Promise<ArrayBuffer> };

/** Statuses that never have a body (RFC 9110 §6.4.1), whatever Content-Length says. */
const BODYLESS_STATUSES = new Set([204, 304]);

/**
 * True when the answer announces a body over `maxBytes`, so it can be refused before a byte of
 * it is read. A HEAD answer's Content-Length describes a body that is not sent.
 */
export function announcesTooLarge(method: string, status: number, contentLength: string | string[] | undefined, maxBytes: number): boolean {
  if (method === 'HEAD' || BODYLESS_STATUSES.has(status) || typeof contentLength !== 'string') return false;
  return /^\d+$/.test(contentLength.trim()) && Number(contentLength) > maxBytes;
}

/**
 * The whole body, or `undefined` when it grew past `maxBytes`: `request` (the controller of the
 * request's signal) is then aborted, before the reading ends, which closes the connection
 * rather than reading (and discarding) the rest.
 */
export async function readBoundedBody(body: ResponseBody, contentLength: string | string[] | undefined, maxBytes: number, request: { abort(): void }): Promise<Uint8Array | undefined> {
  // A Content-Length within the limit (checked before reading) bounds the body already: the
  // HTTP parser reads no further. Reading it whole is then cheaper than chunk by chunk.
  if (typeof contentLength === 'string') return new Uint8Array(await body.arrayBuffer());
  return readAtMost(body, maxBytes, () => request.abort());
}
