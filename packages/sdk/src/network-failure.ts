/**
 * What a failed connection or request means, told from the error's code: Node's socket and DNS
 * codes, OpenSSL's certificate verdicts, undici's own codes, a timeout's `TimeoutError`. The one
 * table the proxy (for its callback deliveries) and the connectors share, so that a code means
 * the same everywhere; each still makes its own error, with its own code and message, from the kind.
 *
 * Errors are told apart by `code` (and, where there is none, `name`), never by class: another
 * copy of undici, or Node.js itself, may have made them.
 */

/**
 * What happened, as a caller maps it to an error code of its own. `other` is a code this table
 * does not know (the caller decides whether that is a bug).
 */
export type NetworkFailureKind = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'dns' | 'tls' | 'invalid-response' | 'other';

/** What {@link networkFailure} tells of an error. */
export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  /** The code that told it, e.g. `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, `CERT_HAS_EXPIRED`, `TimeoutError`. */
  readonly code: string;
  /**
   * What the other side did, in words an operator reads, written to follow its name or URL:
   * "refused the connection (nothing listens there)". Never quotes the error's own message
   * (which may hold a URL with a secret).
   */
  readonly description: string;
}

const KIND_DESCRIPTIONS: Readonly<Record<NetworkFailureKind, string>> = {
  timeout: 'did not answer in time',
  refused: 'refused the connection (nothing listens there)',
  unreachable: 'is on a host or network this machine has no route to',
  reset: 'closed the connection before answering',
  dns: 'has a host name that was not found (DNS)',
  tls: 'could not set up a secure (TLS) connection',
  'invalid-response': 'sent an answer that is not valid HTTP',
  other: 'could not be reached',
};

/** Codes by kind, with the words of those that say more than their kind. */
const KNOWN_CODES: ReadonlyMap<string, readonly [NetworkFailureKind, string?]> = new Map<string, readonly [NetworkFailureKind, string?]>([
  // The connection, the answer's head or its body took too long; `TimeoutError` is AbortSignal.timeout's.
  ['UND_ERR_CONNECT_TIMEOUT', ['timeout']],
  ['UND_ERR_HEADERS_TIMEOUT', ['timeout']],
  ['UND_ERR_BODY_TIMEOUT', ['timeout']],
  ['ETIMEDOUT', ['timeout']],
  ['TimeoutError', ['timeout']],
  ['ECONNREFUSED', ['refused']],
  ['EHOSTUNREACH', ['unreachable', 'is on a host this machine has no route to']],
  ['ENETUNREACH', ['unreachable', 'is on a network this machine has no route to']],
  ['EHOSTDOWN', ['unreachable']],
  ['ENETDOWN', ['unreachable']],
  // UND_ERR_SOCKET is undici's "other side closed"; CLOSED/DESTROYED mean its pool went away under the call.
  ['ECONNRESET', ['reset']],
  ['EPIPE', ['reset']],
  ['ECONNABORTED', ['reset']],
  ['UND_ERR_SOCKET', ['reset']],
  ['UND_ERR_CLOSED', ['reset']],
  ['UND_ERR_DESTROYED', ['reset']],
  ['ENOTFOUND', ['dns']],
  ['EAI_AGAIN', ['dns', 'has a host name DNS could not resolve just now']],
  ['EAI_NONAME', ['dns']],
  ['EAI_NODATA', ['dns']],
  ['EAI_FAIL', ['dns']],
  ['CERT_HAS_EXPIRED', ['tls', 'presented an expired TLS certificate']],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', ['tls', 'presented a self-signed TLS certificate']],
  ['SELF_SIGNED_CERT_IN_CHAIN', ['tls', 'presented a TLS certificate signed by an untrusted authority']],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', ['tls', 'presented a TLS certificate that could not be verified']],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', ['tls', 'presented a TLS certificate that could not be verified']],
  ['ERR_TLS_CERT_ALTNAME_INVALID', ['tls', 'presented a TLS certificate for another host name']],
  ['EPROTO', ['tls', 'did not speak TLS (or HTTP) as expected']],
  ['UND_ERR_HEADERS_OVERFLOW', ['invalid-response']],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', ['invalid-response']],
  ['UND_ERR_RESPONSE', ['invalid-response']],
]);

// Node's TLS codes and OpenSSL's other certificate verdicts.
const TLS_CODE = /^(?:ERR_TLS_|ERR_SSL_)|CERT|^UNABLE_TO_|^HOSTNAME_MISMATCH$/;
// llhttp's parse errors: the bytes that came back are not HTTP.
const PARSER_CODE = /^HPE_/;
// A code that is one (Node's and undici's are upper case), as opposed to a class's name.
const CODE_LIKE = /^[A-Z][A-Z0-9_]+$/;
// How far down `cause` (and `errors`) to look: libraries wrap once or twice.
const MAX_DEPTH = 8;

/**
 * What a network error means, looking into its `cause` and, for a connection tried on several
 * addresses (happy eyeballs), its first `errors`: the first code there that is known decides.
 * A code not known is `other`; an error with no code at all is `undefined`.
 *
 * @example
 * const failure = networkFailure(error);
 * if (failure?.kind === 'refused') throw commandError({ code: 'ServiceDown', httpStatus: 502,
 *   message: `${host} ${failure.description}` }); // "... refused the connection (nothing listens there)"
 */
export function networkFailure(error: unknown): NetworkFailure | undefined {
  const codes = codesOf(error);
  for (const code of codes) {
    const kind = kindOf(code);
    if (kind !== undefined) return { kind, code, description: KNOWN_CODES.get(code)?.[1] ?? describeKind(kind, code) };
  }
  const other = codes.find((code) => CODE_LIKE.test(code));
  return other === undefined ? undefined : { kind: 'other', code: other, description: describeKind('other', other) };
}

function kindOf(code: string): NetworkFailureKind | undefined {
  const known = KNOWN_CODES.get(code);
  if (known !== undefined) return known[0];
  if (TLS_CODE.test(code)) return 'tls';
  return PARSER_CODE.test(code) ? 'invalid-response' : undefined;
}

/** A kind's words; where the code is not one the table words, the code goes with them, for whoever looks it up. */
function describeKind(kind: NetworkFailureKind, code: string): string {
  const words = KIND_DESCRIPTIONS[kind];
  return kind === 'tls' || kind === 'invalid-response' || kind === 'other' ? `${words} (${code})` : words;
}

/** The codes of the error and of what it wraps, outermost first. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let node = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof node === 'object' && node !== null; depth += 1) {
    const code = codeOf(node as { code?: unknown; name?: unknown });
    if (code !== undefined) codes.push(code);
    const { cause, errors } = node as { cause?: unknown; errors?: unknown };
    node = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return codes;
}

/** A string `code`; else the name of the two errors that carry none (a DOMException's code is a number: 23 for a timeout). */
function codeOf({ code, name }: { code?: unknown; name?: unknown }): string | undefined {
  if (typeof code === 'string') return code;
  if (name === 'TimeoutError') return name;
  // undici's HTTPParserError has no code when llhttp's reason has no name (e.g. "Expected HTTP/").
  return name === 'HTTPParserError' ? 'HPE_UNNAMED' : undefined;
}
