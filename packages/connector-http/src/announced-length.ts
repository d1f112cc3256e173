/**
 * Refusing a third party's body over `CONNECTOR_PROXY_MAX_RESPONSE_BYTES` before reading it,
 * when its Content-Length says so (a body without one is bounded as it is read: see send-request.ts).
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
