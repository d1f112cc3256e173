/**
 * Reading a third party's body with `CONNECTOR_PROXY_MAX_RESPONSE_BYTES` as the bound: memory
 * holds at most the limit plus one chunk, whatever the third party sends (an endless chunked
 * body included).
 */

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
export async function readBoundedBody(body: AsyncIterable<Buffer>, maxBytes: number, request: AbortController): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) {
      request.abort();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
