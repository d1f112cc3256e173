/**
 * The headers sent upstream: the caller's `headers` object with values as text, Basic auth
 * applied, and the body's content type added when the caller did not choose one.
 */
import { invalidParameter } from './errors.js';
import { isPlainObject } from './form-encoding.js';
import type { BasicCredentials } from './request-target.js';

export type OutgoingHeaders = Record<string, string | string[]>;

// The client frames the message and manages the connection itself; a caller's value for these
// would contradict what is actually sent (undici accepts some of them, e.g. Host, Content-Length).
const CLIENT_OWNED_HEADERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer',
  'proxy-connection',
]);

/**
 * @example
 * buildRequestHeaders({ Accept: 'application/json', 'X-Page': 2 }, undefined)
 * // { Accept: 'application/json', 'X-Page': '2' }
 */
export function buildRequestHeaders(headers: unknown, credentials: BasicCredentials | undefined): OutgoingHeaders {
  const outgoing: OutgoingHeaders = {};
  if (headers !== undefined && !isPlainObject(headers)) {
    throw invalidParameter('headers', 'must be an object of header names to values');
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === null || value === undefined) continue;
    if (CLIENT_OWNED_HEADERS.has(name.toLowerCase())) {
      throw invalidParameter('headers', `must not set ${name}: the HTTP client sets it itself`);
    }
    outgoing[name] = Array.isArray(value) ? value.map(headerText) : headerText(value);
  }
  if (credentials) setHeader(outgoing, 'Authorization', basicAuthorization(credentials));
  return outgoing;
}

function headerText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** True when the caller set `name` in any letter case. */
export function hasHeader(headers: OutgoingHeaders, name: string): boolean {
  const wanted = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === wanted);
}

/** A copy of `headers` without `names` (lower case), in any letter case. */
export function withoutHeaders(headers: OutgoingHeaders, names: ReadonlySet<string>): OutgoingHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())));
}

/** A copy of `headers` with only `names` (lower case), in any letter case. */
export function onlyHeaders(headers: OutgoingHeaders, names: ReadonlySet<string>): OutgoingHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => names.has(name.toLowerCase())));
}

/** Sets `name`, replacing a caller's value of it in any letter case. */
function setHeader(headers: OutgoingHeaders, name: string, value: string): void {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) delete headers[key];
  headers[name] = value;
}

function basicAuthorization({ username, password }: BasicCredentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Which credentials to send: `basic_auth_username` + `basic_auth_password` when both are given,
 * else those in the URL, else none.
 */
export function chooseCredentials(
  username: string | undefined,
  password: string | undefined,
  fromUrl: BasicCredentials | undefined,
): BasicCredentials | undefined {
  if (username !== undefined && password !== undefined) return { username, password };
  return fromUrl;
}
