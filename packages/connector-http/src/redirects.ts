/**
 * Redirects, followed as Python's requests follows them (the client of the reference connector,
 * so workflows written against it behave the same), with each hop going through the same send
 * path: the egress policy, the size limit and the timeouts apply to every hop.
 *
 * undici's own redirect interceptor is not used: it can neither check each hop against the
 * egress policy before connecting nor drop credentials by requests' rules.
 */
import type { CommandContext } from '@connector-proxy/sdk';
import { invalidRedirect, tooManyRedirects } from './errors.js';
import type { HttpClient } from './http-client.js';
import { onlyHeaders, withoutHeaders } from './request-headers.js';
import { isHttpUrl, redirectTarget, type RequestTarget } from './request-target.js';
import { exchange, type AttemptOutcome, type HttpMethod, type OutboundRequest, type UpstreamAnswer } from './send-request.js';

/** Redirects followed before giving up with `TooManyRedirects`. */
const MAX_REDIRECTS = 10;

/** The statuses requests follows, when they come with a Location. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** The only redirects that resend the same request, body included (RFC 9110 §15.4.8, §15.4.9). */
const REPEATING_STATUSES = new Set([307, 308]);
/** What describes a body that is not resent. */
const BODY_HEADERS = new Set(['content-type']);
/**
 * The only headers that go on to another origin. An allow list, not a list of credential
 * headers: an API's key can hide under any name (`X-Api-Key`, `Private-Token`, `X-Auth-Token`),
 * while these describe what the client accepts or what body it sends and carry no secret.
 */
const CROSS_ORIGIN_HEADERS = new Set([
  'accept', 'accept-language', 'accept-encoding', 'user-agent', 'cache-control', 'pragma',
  'content-type', 'content-language', 'content-encoding',
]);

/**
 * Sends `request`, then each redirect it leads to, up to {@link MAX_REDIRECTS}; gives the
 * outcome of the last hop.
 */
export async function followRedirects(request: OutboundRequest, context: CommandContext<HttpClient>): Promise<AttemptOutcome> {
  let current = request;
  for (let followed = 0; ; followed++) {
    const outcome = await exchange(current, context);
    if (!outcome.ok) return outcome;
    const location = redirectLocation(outcome.answer);
    if (location === undefined) return outcome;
    if (followed === MAX_REDIRECTS) return { ok: false, error: tooManyRedirects(outcome.answer.hostPort, MAX_REDIRECTS) };
    const next = nextUrl(location, current.target);
    if (typeof next === 'string') return { ok: false, error: invalidRedirect(outcome.answer.hostPort, next) };
    current = redirectedRequest(current, outcome.answer.status, redirectTarget(next));
  }
}

/** The Location of an answer requests would follow, else undefined. */
function redirectLocation(answer: UpstreamAnswer): string | undefined {
  if (!REDIRECT_STATUSES.has(answer.status)) return undefined;
  const location = answer.headers.location;
  return typeof location === 'string' ? utf8Location(location) : undefined;
}

/**
 * Header values arrive as latin1 text; a server that writes a UTF-8 URL in Location meant the
 * UTF-8 one (requests decodes it so too).
 */
function utf8Location(location: string): string {
  if (!/[^\x00-\x7f]/.test(location)) return location;
  const utf8 = Buffer.from(location, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? location : utf8;
}

/** The absolute URL a Location leads to (relative ones against the current URL), or what is wrong with it. */
function nextUrl(location: string, from: RequestTarget): URL | string {
  const base = `${from.origin}${from.path}`;
  if (!URL.canParse(location, base)) return 'a Location that is not a valid URL';
  const url = new URL(location, base);
  return isHttpUrl(url) ? url : `a ${url.protocol} URL (only http: and https: are)`;
}

/**
 * The request for the next hop: 303 (and, as browsers and requests do, 302, and 301 after a
 * POST) becomes a GET; only 307 and 308 resend the body. Headers that may hold credentials go
 * only where they would have gone before (see {@link keepsCredentials}); elsewhere only
 * {@link CROSS_ORIGIN_HEADERS} go on.
 */
function redirectedRequest(request: OutboundRequest, status: number, target: RequestTarget): OutboundRequest {
  const repeats = REPEATING_STATUSES.has(status);
  let headers = repeats ? request.headers : withoutHeaders(request.headers, BODY_HEADERS);
  if (!keepsCredentials(request.target, target)) headers = onlyHeaders(headers, CROSS_ORIGIN_HEADERS);
  return { method: redirectedMethod(request.method, status), target, headers, payload: repeats ? request.payload : undefined };
}

function redirectedMethod(method: HttpMethod, status: number): HttpMethod {
  if ((status === 303 || status === 302) && method !== 'HEAD') return 'GET';
  if (status === 301 && method === 'POST') return 'GET';
  return method;
}

/**
 * True when credentials may follow the redirect: same origin (scheme, host, port), or, as
 * requests allows, the same host moving from http on its default port to https on its default
 * port (an upgrade that exposes them to no one new).
 */
function keepsCredentials(from: RequestTarget, to: RequestTarget): boolean {
  if (from.origin === to.origin) return true;
  const source = new URL(from.origin);
  return source.protocol === 'http:' && source.port === '' && to.origin === `https://${source.host}`;
}
