/** What a redacted value is replaced with. */
export const REDACTED = '[Redacted]';

// Name parts that mark a field as secret (docs/protocol.md, "Secrets in logs"). Joined forms cover
// names that cannot be split, such as `apikey` or `sessionid`.
const SENSITIVE_PARTS = new Set([
  'auth', 'authorization', 'authentication', 'password', 'passwords', 'passwd', 'pwd', 'passphrase',
  'secret', 'secrets', 'token', 'tokens', 'jwt', 'bearer', 'credential', 'credentials',
  'cookie', 'cookies', 'session', 'sessions', 'key', 'keys', 'csrf', 'xsrf',
  'apikey', 'accesskey', 'privatekey', 'secretkey', 'sessionid', 'authtoken', 'accesstoken',
  'refreshtoken', 'clientsecret', 'setcookie',
]);

const NAME_SEPARATORS = /[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;
const MAX_CACHED_NAMES = 10_000;
const nameCache = new Map<string, boolean>();
const MAX_DEPTH = 32;

/**
 * True when a field name, split at `_`, `-`, `.` and case changes, has a secret-looking part.
 *
 * @example
 * isSensitiveName('basic_auth_password') // true
 * isSensitiveName('X-Api-Key')           // true
 * isSensitiveName('url')                 // false
 */
export function isSensitiveName(name: string): boolean {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const sensitive = name.split(NAME_SEPARATORS).some((part) => SENSITIVE_PARTS.has(part.toLowerCase()));
  if (nameCache.size < MAX_CACHED_NAMES) nameCache.set(name, sensitive);
  return sensitive;
}

/** `{"id"|"name": <sensitive>, "value": ...}` and `{"type": "password", "value": ...}` hide their value. */
function hidesValue(object: Record<string, unknown>): boolean {
  if (!('value' in object)) return false;
  const label = object.id ?? object.name;
  if (typeof label === 'string' && isSensitiveName(label)) return true;
  return object.type === 'password';
}

/**
 * A copy of `value` with every sensitive field, at any depth, replaced by `[Redacted]`.
 * URLs in its strings keep no password, no query value and no secret-looking path segment.
 *
 * @example
 * redact({ headers: { Authorization: 'Basic x' }, url: 'https://u:p@h/?token=t' })
 * // { headers: { Authorization: '[Redacted]' }, url: 'https://u:[Redacted]@h/?token=[Redacted]' }
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  const source = value as Record<string, unknown>;
  const hideValue = hidesValue(source);
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(source)) {
    const secret = isSensitiveName(name) || (hideValue && name === 'value');
    copy[name] = secret ? REDACTED : redactValue(field, depth + 1, seen);
  }
  return copy;
}

// Errors keep their useful fields, which are not enumerable and so would vanish in a copy.
function redactError(error: Error & { code?: unknown }, depth: number, seen: WeakSet<object>): unknown {
  return {
    type: error.name,
    message: error.message,
    code: error.code,
    stack: error.stack,
    cause: error.cause === undefined ? undefined : redactValue(error.cause, depth + 1, seen),
  };
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A URL inside free text: up to the first space, quote or angle bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
/** What ends a sentence rather than the URL written before it. */
const TRAILING_PUNCTUATION = /[).,;:!?]+$/;

/**
 * A URL string without its password, its query values (names are kept: any of them can be a
 * signature, an OAuth code or a password under a name no list foresees), its fragment, and any
 * path segment that looks like a credential: the secret part of known webhook URLs (Slack,
 * Discord, Microsoft Teams, Telegram), and long high-entropy segments anywhere.
 * Anything that is not a URL comes back unchanged.
 *
 * @example
 * redactUrl('https://api.example.com/x?api_key=abc&q=1') // 'https://api.example.com/x?api_key=[Redacted]&q=[Redacted]'
 * redactUrl('https://hooks.slack.com/services/T0/B0/XyZ') // 'https://hooks.slack.com/services/T0/B0/[Redacted]'
 */
export function redactUrl(text: string): string {
  if (!URL_LIKE.test(text) || !mayHoldSecrets(text) || !URL.canParse(text)) return text;
  const url = new URL(text);
  const path = redactPath(url);
  const search = redactQuery(url.search);
  const hash = url.hash === '' ? '' : `#${REDACTED}`;
  if (url.password === '' && path === url.pathname && search === url.search && hash === '') return text;
  const userinfo = url.username === '' && url.password === '' ? '' : `${url.username}${url.password === '' ? '' : `:${REDACTED}`}@`;
  return `${url.protocol}//${userinfo}${url.host}${path}${search}${hash}`;
}

/**
 * `text` with every URL in it passed through {@link redactUrl}, e.g. a log line that names one.
 *
 * @example
 * redactUrls('GET https://a.example/x?sig=abc -> 200') // 'GET https://a.example/x?sig=[Redacted] -> 200'
 */
export function redactUrls(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (match) => {
    const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
    return `${redactUrl(match.slice(0, match.length - trailing.length))}${trailing}`;
  });
}

/** Hosts whose webhook URLs carry their secret in the path (see {@link WEBHOOK_SECRETS}). */
const WEBHOOK_HOST_MARKS = /hooks\.slack|discord|webhook\.office|api\.telegram/i;
/** A query value that is there and not already redacted. */
const QUERY_VALUE = /=(?!\[Redacted\](?:&|$))[^&]/;

/**
 * False when a URL certainly has nothing {@link redactUrl} would hide, found by a scan of its
 * text: most URLs in log lines (a connector's, already redacted, or a plain path) skip parsing.
 */
function mayHoldSecrets(text: string): boolean {
  if (text.includes('@') || text.includes('#') || hasLongAlphanumericRun(text) || WEBHOOK_HOST_MARKS.test(text)) return true;
  const query = text.indexOf('?');
  return query !== -1 && QUERY_VALUE.test(text.slice(query));
}

/** One pass over the text: a regular expression for the same retries at every position, 10 times slower. */
function hasLongAlphanumericRun(text: string): boolean {
  let run = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index) | 0x20; // folds A-Z onto a-z; digits keep their codes
    run = (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) ? run + 1 : 0;
    if (run >= MIN_CREDENTIAL_RUN) return true;
  }
  return false;
}

/** `?a=1&flag&b=` as `?a=[Redacted]&flag&b=`: every value hidden, names and empty values kept. */
function redactQuery(search: string): string {
  if (search === '') return search;
  const pairs = search.slice(1).split('&').map((pair) => {
    const equals = pair.indexOf('=');
    return equals === -1 || equals === pair.length - 1 ? pair : `${pair.slice(0, equals + 1)}${REDACTED}`;
  });
  return `?${pairs.join('&')}`;
}

/**
 * Webhook URLs whose path is their credential: for each, which segments (of the path split at
 * `/`, without the leading empty one) are secret.
 */
const WEBHOOK_SECRETS: ReadonlyArray<{ host: RegExp; secret: (segments: readonly string[]) => number[] }> = [
  // https://hooks.slack.com/services/T…/B…/<secret>, /workflows/…/<secret>, /triggers/…/<secret>
  { host: /^hooks\.slack(-gov)?\.com$/, secret: (segments) => (segments.length > 1 ? [segments.length - 1] : []) },
  // https://discord.com/api/webhooks/<id>/<token>[/slack|/github]
  { host: /^(ptb\.|canary\.)?discord(app)?\.com$/, secret: (segments) => segmentsAfter(segments, 'webhooks', 1, 1) },
  // https://<tenant>.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<secret>/<owner>[/<signature>]
  { host: /(^|\.)webhook\.office\.com$/, secret: (segments) => segmentsAfter(segments, 'IncomingWebhook', 0, segments.length) },
  // https://api.telegram.org/bot<token>/<method>
  { host: /^api\.telegram\.org$/, secret: (segments) => (segments[0]?.startsWith('bot') ? [0] : []) },
];

/** The indexes of `count` segments that come `skip` segments after `marker`. */
function segmentsAfter(segments: readonly string[], marker: string, skip: number, count: number): number[] {
  const start = segments.indexOf(marker) + 1 + skip;
  if (start <= skip) return [];
  return segments.map((_segment, index) => index).filter((index) => index >= start && index < start + count);
}

function redactPath(url: URL): string {
  if (!url.pathname.startsWith('/')) return url.pathname;
  const segments = url.pathname.slice(1).split('/');
  const secret = new Set(WEBHOOK_SECRETS.find((webhook) => webhook.host.test(url.hostname))?.secret(segments) ?? []);
  const redacted = segments.map((segment, index) => (secret.has(index) || looksLikeCredential(segment) ? REDACTED : segment));
  return `/${redacted.join('/')}`;
}

/** Tokens, keys and signatures are long runs of random letters and digits. */
const MIN_CREDENTIAL_RUN = 16;

/**
 * True for a path segment with a long run of letters and digits that mixes the two, or mixes
 * upper and lower case throughout, as random tokens do. Words, camelCase names, numbers, slugs
 * and UUIDs (runs of at most 12) are kept: they name things, and logs need them.
 */
function looksLikeCredential(segment: string): boolean {
  if (segment.length < MIN_CREDENTIAL_RUN) return false;
  return segment.split(/[^A-Za-z0-9]+/).some((run) => {
    if (run.length < MIN_CREDENTIAL_RUN) return false;
    const digits = run.replace(/[^0-9]/g, '').length;
    const upper = run.replace(/[^A-Z]/g, '').length;
    const lower = run.length - digits - upper;
    if (digits > 0 && digits < run.length) return true;
    return upper >= run.length / 4 && lower >= run.length / 4;
  });
}

/** A character that continues a word: a secret is only replaced where it is not part of one. */
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;
const REGEXP_SYNTAX = /[.*+?^${}()|[\]\\]/g;

/**
 * `text` with every occurrence of the known `secrets` (a password, a token) replaced by
 * `[Redacted]`, as whole values only: a secret that starts or ends with a letter or digit is not
 * cut out of a longer word, so the password `p` leaves "host and port" alone.
 *
 * @example
 * redactSecrets('user p: is the host and port right?', ['p']) // 'user [Redacted]: is the host and port right?'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const present = secrets.filter((secret) => secret !== '' && text.includes(secret));
  if (present.length === 0) return text;
  // Longest first, so that a secret inside a longer one does not leave the rest behind.
  const alternatives = [...new Set(present)].sort((a, b) => b.length - a.length).map(wholeValue);
  return text.replace(new RegExp(alternatives.join('|'), 'gu'), REDACTED);
}

function wholeValue(secret: string): string {
  const characters = [...secret];
  const before = WORD_CHARACTER.test(characters[0] ?? '') ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = WORD_CHARACTER.test(characters.at(-1) ?? '') ? '(?![\\p{L}\\p{N}_])' : '';
  return `${before}${secret.replace(REGEXP_SYNTAX, '\\$&')}${after}`;
}
