import { MAX_JSON_NESTING } from './json-nesting.js';
import { scanJson } from './json-scanner.js';

/** What {@link checkJsonBytes} found: `'too-deep'` is JSON that `JSON.parse` accepts but nests past the limit. */
export type JsonTextVerdict = 'valid' | 'invalid' | 'too-deep';

/**
 * Checks UTF-8 JSON text without building the value: `'valid'` exactly when `JSON.parse` of the
 * decoded text succeeds and objects and arrays nest at most `maxNesting` levels deep (the same
 * count as {@link jsonNestsTooDeep}), `'too-deep'` when `JSON.parse` succeeds but they nest
 * deeper, `'invalid'` when `JSON.parse` throws. One pass over a copy of the bytes, in WebAssembly
 * (wasm/json-scanner.wat), without recursion: it survives any depth, and the bytes need no
 * decoding, so checked bytes can go on as they are (see {@link rawJson}). It does not check that
 * the bytes are well-formed UTF-8 (`isUtf8` from `node:buffer` does), and a byte order mark is not JSON.
 *
 * @example
 * if (!isUtf8(bytes) || checkJsonBytes(bytes) !== 'valid') return { valid: false, body: { raw_response: text } };
 * return { valid: true, body: rawJson(bytes) };
 */
export function checkJsonBytes(bytes: Uint8Array, maxNesting = MAX_JSON_NESTING): JsonTextVerdict {
  return scanJson(bytes, maxNesting);
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
  // becomes U+FFFD's bytes, which stand in a string as well as it did.
  return checkJsonBytes(Buffer.from(text), maxNesting);
}
