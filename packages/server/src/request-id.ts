/** Request ids, one counter for Fastify (its `genReqId`) and the lean path: `req-1`, `req-2`, … in base 36, as Fastify's own. */
export function requestIdGenerator(): () => string {
  // Kept a small integer (V8's fast kind); it wraps after 2^31 - 1 ids.
  const MAX = 2147483647;
  let next = 0;
  return () => {
    next = (next + 1) & MAX;
    return `req-${next.toString(36)}`;
  };
}
