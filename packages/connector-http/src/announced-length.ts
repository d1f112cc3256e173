/**
 * What an answer's Content-Length says of its body, read before a byte of it: a body over
 * `CONNECTOR_PROXY_MAX_RESPONSE_BYTES` is refused unread, and a body of known length takes its
 * bytes from the proxy's response budget whole (a body without one is bounded as it is read:
 * see send-request.ts).
 */

/** Statuses that never have a body (RFC 9110 §6.4.1), whatever Content-Length says. */
const BODYLESS_STATUSES = new Set([204, 304]);

/**
 * The body's length in bytes when the answer announces it (0 when it has no body at all), or
 * `undefined` when it does not say (chunked, or a Content-Length that is not one number). A
 * HEAD answer's Content-Length describes a body that is not sent.
 *
 * @example
 * announcedLength('GET', 200, '1024') // 1024
 * announcedLength('HEAD', 200, '1024') // 0
 * announcedLength('GET', 200, undefined) // undefined
 */
export function announcedLength(method: string, status: number, contentLength: string | string[] | undefined): number | undefined {
  if (method === 'HEAD' || BODYLESS_STATUSES.has(status)) return 0;
  if (typeof contentLength !== 'string' || !/^\d+$/.test(contentLength.trim())) return undefined;
  return Number(contentLength);
}
