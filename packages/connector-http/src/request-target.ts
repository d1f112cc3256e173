/**
 * Where a request goes: the URL checked (http/https only), `params` merged into its query, and
 * the forms of it that are safe to show (host:port for messages, a redacted URL for logs).
 */
import { redactUrl } from '@connector-proxy/sdk';
import { invalidParameter } from './errors.js';
import { formEncode, isPlainObject } from './form-encoding.js';

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface RequestTarget {
  /** `https://host:port`, what the agent pools connections by. */
  origin: string;
  /** The URL's host (`[::1]` for IPv6), what the egress policy checks. */
  hostname: string;
  /** Path and query, as sent on the request line. */
  path: string;
  /** `host:port`: the only part of the URL error messages name (no userinfo, no query). */
  hostPort: string;
  /** The URL for log lines: no userinfo, sensitive query values redacted. */
  logUrl: string;
  /** `https://user:pass@host/` credentials, used for Basic auth unless basic_auth_* are given. */
  urlCredentials: BasicCredentials | undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * Parses `url` and appends `params` to the query it already has (its own encoding kept as is).
 * Throws a 400 naming `url` for anything but an absolute http: or https: URL.
 *
 * @example
 * buildRequestTarget('https://api.example.com/items?a=1', { b: [2, 3] }).path // '/items?a=1&b=2&b=3'
 */
export function buildRequestTarget(url: string, params: unknown): RequestTarget {
  const parsed = parseHttpUrl(url);
  const extraQuery = queryOf(params);
  const query = [parsed.search.slice(1), extraQuery].filter((part) => part !== '').join('&');
  return targetOf(parsed, query === '' ? '' : `?${query}`);
}

/** True for the URL schemes a request may go to. */
export function isHttpUrl(url: URL): boolean {
  return url.protocol in DEFAULT_PORTS;
}

/**
 * The target of an absolute http(s) URL as it is, e.g. a redirect's Location.
 *
 * @example
 * redirectTarget(new URL('/next?a=1', 'https://api.example.com/x')).path // '/next?a=1'
 */
export function redirectTarget(url: URL): RequestTarget {
  return targetOf(url, url.search);
}

function targetOf(url: URL, search: string): RequestTarget {
  const path = `${url.pathname}${search}`;
  const port = url.port || (DEFAULT_PORTS[url.protocol] as string);
  return {
    origin: url.origin,
    hostname: url.hostname,
    path,
    hostPort: `${url.hostname}:${port}`,
    logUrl: redactUrl(`${url.origin}${path}`),
    urlCredentials: credentialsOf(url),
  };
}

function parseHttpUrl(url: string): URL {
  // URL.canParse avoids a try/catch: an unparsable URL is an ordinary caller mistake here.
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined) throw invalidParameter('url', 'is not a valid absolute URL');
  if (!isHttpUrl(parsed)) {
    throw invalidParameter('url', `must be an http: or https: URL, not ${parsed.protocol}`);
  }
  return parsed;
}

/** `params` as an object (the usual form) or an already encoded query string. */
function queryOf(params: unknown): string {
  if (params === undefined) return '';
  if (typeof params === 'string') return new URLSearchParams(params).toString();
  if (isPlainObject(params)) return formEncode(params);
  throw invalidParameter('params', 'must be an object of query parameter names to values');
}

function credentialsOf(url: URL): BasicCredentials | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return { username: percentDecoded(url.username), password: percentDecoded(url.password) };
}

/** decodeURIComponent, except for text with a stray `%`, which it would reject: that is kept as typed. */
function percentDecoded(text: string): string {
  return /%(?![0-9a-f]{2})/i.test(text) ? text : decodeURIComponent(text);
}
