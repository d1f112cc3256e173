/**
 * Calls to the proxy from the page, carrying the API key. The key lives in this tab's
 * sessionStorage only: never in localStorage, a cookie or the URL.
 */
const KEY_STORAGE = 'connector-proxy.api-key';
const KEY_HEADER = 'Spiff-Connector-Proxy-Api-Key';

export function storedKey(): string {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function storeKey(key: string): void {
  if (key === '') sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

/** An answer as the page shows it. */
export interface ApiAnswer {
  status: number;
  statusText: string;
  durationMs: number;
  /** The parsed JSON, or undefined when the answer was not JSON. */
  json: unknown;
  text: string;
}

/** Sends a call with the stored key; a network failure is an answer with status 0. */
export async function callProxy(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = storedKey();
  if (key !== '') headers[KEY_HEADER] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const started = performance.now();
  try {
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const text = await response.text();
    return { status: response.status, statusText: response.statusText, durationMs: performance.now() - started, json: parseJson(text), text };
  } catch (error) {
    return { status: 0, statusText: 'no answer', durationMs: performance.now() - started, json: undefined, text: String(error) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // shown as text
  }
}

/** The envelope's (or a refusal's) error message, when there is one. */
export function errorOf(json: unknown): { code: string; message: string } | undefined {
  const error = (json as { error?: { error_code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  return { code: String(error.error_code ?? ''), message: String(error.message ?? '') };
}
