/** Where a finished connection sends the browser: SpiffArena's `redirect_url`, checked and extended. */

/**
 * The URL when it is an absolute http(s) URL on an allowed origin, else undefined.
 *
 * @example
 * allowedReturnUrl('https://spiff.example.com/v1.0/authentication_callback/github/OAuth?token=t', new Set(['https://spiff.example.com']))
 * // 'https://spiff.example.com/v1.0/authentication_callback/github/OAuth?token=t'
 */
export function allowedReturnUrl(redirectUrl: string, allowed: ReadonlySet<string>): string | undefined {
  const url = URL.canParse(redirectUrl) ? new URL(redirectUrl) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return undefined;
  return allowed.has(url.origin) ? redirectUrl : undefined;
}

/**
 * `redirectUrl` with `name=value` added to its query. Its own query (SpiffArena's `token=...`)
 * is kept byte for byte: re-serializing it could change how the engine reads it.
 *
 * @example
 * withQueryParameter('https://s.example/cb?token=a.b', 'response', '{"x":1}')
 * // 'https://s.example/cb?token=a.b&response=%7B%22x%22%3A1%7D'
 */
export function withQueryParameter(redirectUrl: string, name: string, value: string): string {
  const hashAt = redirectUrl.indexOf('#');
  const base = hashAt === -1 ? redirectUrl : redirectUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : redirectUrl.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}${fragment}`;
}
