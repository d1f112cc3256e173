import type { ConnectionOptions } from 'node:tls';
import { invalidParameters, type CommandError } from '@connector-proxy/sdk';

/**
 * Where to connect and as whom, in node-postgres' terms. Every field is set explicitly so that
 * the driver never falls back to the proxy's own environment (`PGHOST`, `PGPASSWORD`,
 * `~/.pgpass`...): a connection string from a workflow must not borrow the proxy's credentials.
 */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** `undefined` when the string has none; the server then gets no password at all. */
  password: string | undefined;
  ssl: false | ConnectionOptions;
  application_name: string;
  /** libpq's `options`: command-line options sent at connection start, e.g. `-c search_path=app`. */
  options: string | undefined;
  /** libpq's `connect_timeout`, in milliseconds; `undefined` when absent or 0 (no own limit). */
  connectTimeoutMs: number | undefined;
}

const PARAMETER = 'database_connection_str';
const DEFAULT_PORT = 5432;
const DEFAULT_APPLICATION_NAME = 'connector-proxy';
const URI_SCHEME = /^postgres(?:ql)?:\/\//i;

/**
 * The libpq keywords this connector understands. Others are refused rather than ignored: some
 * (`sslkey`, `sslrootcert`, `passfile`, `service`) would make the proxy read its own files.
 */
const SUPPORTED_KEYWORDS = [
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'sslmode', 'connect_timeout', 'application_name', 'options',
] as const;
type Keyword = (typeof SUPPORTED_KEYWORDS)[number];
type Keywords = Map<Keyword, string>;

// Messages never quote any part of the string: a misplaced quote can make part of a password
// look like a keyword, a host or a port.
const problem = (message: string): CommandError => invalidParameters([{ parameter: PARAMETER, message }]);

/**
 * Reads a connection string given as a URI (`postgresql://user:pass@host:5432/db?sslmode=require`)
 * or in libpq's keyword form (`host=db port=5432 dbname=app user=app password='a b\'c'`).
 * Throws `invalid_parameters` (naming no part of the string) when it cannot be read.
 *
 * @example
 * parseConnectionString("dbname=dev user=dev password='s3 cr3t' host=db").password // 's3 cr3t'
 */
export function parseConnectionString(text: string): ConnectionTarget {
  const keywords = URI_SCHEME.test(text) ? uriKeywords(text) : keywordPairs(text);
  return connectionTarget(keywords);
}

function uriKeywords(text: string): Keywords {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The URL parser's error would carry the whole string: say what is wrong in our own words.
    throw problem('is not a valid postgresql:// URI (percent-encode @, /, #, ? and spaces in the user name and password)');
  }
  const raw = new Map<string, string>();
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host !== '') raw.set('host', host);
  if (url.port !== '') raw.set('port', url.port);
  if (url.username !== '') raw.set('user', decode(url.username));
  if (url.password !== '') raw.set('password', decode(url.password));
  const database = url.pathname.replace(/^\//, '');
  if (database !== '') raw.set('dbname', decode(database));
  // libpq: query parameters are keywords too, and win over the parts before them.
  for (const [name, value] of url.searchParams) raw.set(name, value);
  return supportedKeywords(raw);
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    // decodeURIComponent's URIError says nothing useful; this does.
    throw problem('has a malformed %-escape in its user name, password or database name');
  }
}

/**
 * libpq's keyword form: `keyword = value` pairs separated by spaces; a value is either
 * single-quoted or runs to the next space, and a backslash takes the next character literally.
 */
function keywordPairs(text: string): Keywords {
  const raw = new Map<string, string>();
  let at = skipSpaces(text, 0);
  while (at < text.length) {
    const keyStart = at;
    while (at < text.length && text[at] !== '=' && !isSpace(text[at])) at += 1;
    const keyword = text.slice(keyStart, at);
    at = skipSpaces(text, at);
    if (keyword === '' || text[at] !== '=') {
      throw problem("is neither a postgresql:// URI nor keyword=value pairs (quote values with spaces: password='a b')");
    }
    at = skipSpaces(text, at + 1);
    const [value, next] = text[at] === "'" ? quotedValue(text, at + 1) : bareValue(text, at);
    raw.set(keyword, value);
    at = skipSpaces(text, next);
  }
  return supportedKeywords(raw);
}

function quotedValue(text: string, start: number): [string, number] {
  let value = '';
  for (let at = start; at < text.length; at += 1) {
    const char = text[at];
    if (char === "'") return [value, at + 1];
    if (char === '\\' && at + 1 < text.length) at += 1;
    value += text[at];
  }
  throw problem('has a quoted value without its closing quote');
}

function bareValue(text: string, start: number): [string, number] {
  let value = '';
  let at = start;
  for (; at < text.length && !isSpace(text[at]); at += 1) {
    if (text[at] === '\\' && at + 1 < text.length) at += 1;
    value += text[at];
  }
  return [value, at];
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';
}

function skipSpaces(text: string, at: number): number {
  while (at < text.length && isSpace(text[at])) at += 1;
  return at;
}

function supportedKeywords(raw: Map<string, string>): Keywords {
  const keywords: Keywords = new Map();
  for (const [name, value] of raw) {
    if (!(SUPPORTED_KEYWORDS as readonly string[]).includes(name)) {
      throw problem(`uses a keyword this connector does not support; supported: ${SUPPORTED_KEYWORDS.join(', ')}`);
    }
    keywords.set(name as Keyword, value);
  }
  return keywords;
}

function connectionTarget(keywords: Keywords): ConnectionTarget {
  const user = keywords.get('user');
  if (user === undefined || user === '') throw problem('names no user (user=... or postgresql://user@host/...)');
  const host = keywords.get('hostaddr') || keywords.get('host') || 'localhost';
  if (host.startsWith('/') || host.startsWith('@')) {
    // A local socket would let the proxy's own operating-system identity log in (peer authentication).
    throw problem('names a Unix-domain socket; give a TCP host name or address');
  }
  return {
    host,
    port: port(keywords.get('port')),
    database: keywords.get('dbname') || user,
    user,
    password: keywords.get('password'),
    ssl: ssl(keywords.get('sslmode')),
    application_name: keywords.get('application_name') || DEFAULT_APPLICATION_NAME,
    options: keywords.get('options') || undefined,
    connectTimeoutMs: connectTimeout(keywords.get('connect_timeout')),
  };
}

function port(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > 65_535) throw problem('has a port that is not a number from 1 to 65535');
  return number;
}

function connectTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw problem('has a connect_timeout that is not a whole number of seconds');
  const seconds = Number(value);
  return seconds === 0 ? undefined : seconds * 1000;
}

/**
 * libpq's `sslmode`. node-postgres cannot try TLS and fall back to plain text, so `allow` and
 * `prefer` (libpq's default) connect without TLS; ask for `require` or stronger to get it.
 */
function ssl(mode: string | undefined): false | ConnectionOptions {
  switch (mode ?? 'prefer') {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
    case 'no-verify':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // The chain must lead to a trusted authority; the host name is not checked (libpq's meaning).
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      throw problem('has an sslmode that is not one of disable, allow, prefer, require, verify-ca, verify-full');
  }
}
