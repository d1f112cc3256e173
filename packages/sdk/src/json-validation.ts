import { MAX_JSON_NESTING } from './json-nesting.js';
import { scanJson } from './json-scanner.js';

/** What {@link checkJsonBytes} found: `'too-deep'` is JSON that `JSON.parse` accepts but nests past the limit. */
export type JsonTextVerdict = 'valid' | 'invalid' | 'too-deep';

/**
 * Checks JSON text in UTF-8 without building the value: `'valid'` exactly when the bytes are
 * well-formed UTF-8, `JSON.parse` of their text succeeds and objects and arrays nest at most
 * `maxNesting` levels deep (the same count as {@link jsonNestsTooDeep}); `'too-deep'` when only
 * the nesting fails; `'invalid'` otherwise. The bytes may come as one array or as the chunks a
 * body arrived in. One pass over a copy of them, in WebAssembly (wasm/json-scanner.wat), without
 * recursion: it survives any depth, and the bytes need no decoding, so checked bytes can go on
 * as they are (see {@link rawJson}). A byte order mark is not JSON.
 *
 * @example
 * if (checkJsonBytes(chunks) !== 'valid') return { valid: false, body: { raw_response: decode(chunks) } };
 * return { valid: true, body: rawJson(chunks) };
 */
export function checkJsonBytes(bytes: Uint8Array | readonly Uint8Array[], maxNesting = MAX_JSON_NESTING): JsonTextVerdict {
  return scanJson(bytes instanceof Uint8Array ? [bytes] : bytes, maxNesting, true);
}

/**
 * {@link checkJsonBytes} for text already decoded: the same verdict `JSON.parse(text)` gives
 * (lone surrogates, which it lets pass in strings, included).
 *
 * @example
 * checkJsonText('{"a": [1, 2]}') // 'valid'
 * checkJsonText('{"a": [1, 2}')  // 'invalid'
 */
export function checkJsonText(text: string, maxNesting = MAX_JSON_NESTING): JsonTextVerdict {
  // Outside strings JSON is ASCII, so encoding cannot change the verdict: a lone surrogate
  // becomes U+FFFD's bytes, which stand in a string as well as it did. Encoding a string always
  // gives well-formed UTF-8, so that check is skipped.
  return scanJson([Buffer.from(text)], maxNesting, false);
}
