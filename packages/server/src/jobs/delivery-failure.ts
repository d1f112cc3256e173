/** Network error codes in the words an operator reads in `last_error`. */
const FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused the connection (nothing listens there)',
  ECONNRESET: 'closed the connection before answering',
  UND_ERR_SOCKET: 'closed the connection before answering',
  EPIPE: 'closed the connection before answering',
  ENOTFOUND: 'has a host name that was not found (DNS)',
  EAI_AGAIN: 'has a host name DNS could not resolve just now',
  EHOSTUNREACH: 'is on a host this machine has no route to',
  ENETUNREACH: 'is on a network this machine has no route to',
  CERT_HAS_EXPIRED: 'presented an expired TLS certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'presented a self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'presented a TLS certificate signed by an untrusted authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'presented a TLS certificate that could not be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'presented a TLS certificate that could not be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'presented a TLS certificate for another host name',
  EPROTO: 'did not speak TLS (or HTTP) as expected',
};

/** Codes of a receiver that took too long: the connection, the answer's head or its body. */
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'TimeoutError']);

/**
 * Says what happened to a delivery that got no answer, after "the callback URL …": "did not
 * answer within 30 s", "refused the connection". The error's own code (a DOMException's is a
 * number: 23 for a timeout) means nothing to whoever reads the job's `last_error`.
 */
export function describeDeliveryFailure(error: unknown, timeoutMs: number): string {
  const codes = [error, (error as Error | undefined)?.cause].flatMap(codesOf);
  if (codes.some((code) => TIMEOUTS.has(code))) return `did not answer within ${timeoutMs / 1000} s (CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS)`;
  const known = codes.find((code) => FAILURES[code] !== undefined);
  if (known !== undefined) return FAILURES[known] as string;
  return `could not be reached (${codes.find((code) => /^[A-Z][A-Z0-9_]+$/.test(code)) ?? 'a network error'})`;
}

/** An error's string code and its name (undici's and Node's errors carry `code`; a timeout's abort is a `TimeoutError`). */
function codesOf(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const { code, name } = error as { code?: unknown; name?: unknown };
  return [code, name].filter((value): value is string => typeof value === 'string');
}
