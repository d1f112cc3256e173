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
 * Strings that hold URLs keep no password or sensitive query value.
 *
 * @example
 * redact({ headers: { Authorization: 'Basic x' }, url: 'https://u:p@h/?token=t' })
 * // { headers: { Authorization: '[Redacted]' }, url: 'https://u:[Redacted]@h/?token=[Redacted]' }
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactUrl(value);
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

/**
 * A URL string without its password and without the values of sensitive query parameters.
 * Anything that is not a URL comes back unchanged.
 *
 * @example
 * redactUrl('https://api.example.com/x?api_key=abc&q=1') // 'https://api.example.com/x?api_key=[Redacted]&q=1'
 */
export function redactUrl(text: string): string {
  if (!URL_LIKE.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text; // not a URL after all: nothing to hide in its structure
  }
  let changed = false;
  if (url.password) {
    url.password = REDACTED;
    changed = true;
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (isSensitiveName(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED) : text;
}
