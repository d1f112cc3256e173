/**
 * The third party's body as the workflow stores it: JSON (checked, passed on as its bytes), XML as
 * an object, or the text as `{raw_response}`. docs/protocol.md fixes the JSON and raw shapes.
 */
import { TextDecoder } from 'node:util';
import { checkJsonBytes, checkJsonText, rawJson } from '@connector-proxy/sdk';
import { parseXml } from './xml-document.js';

export interface RawResponse {
  raw_response: string;
}

export type ResponseBody =
  | { valid: true; body: unknown }
  /** Content-Type said JSON but the text is not JSON (or nests too deep to pass on): an error for the caller to report. */
  | { valid: false; body: RawResponse };

const XML_TYPE = /^(?:application|text)\/(?:[\w.+-]+\+)?xml(?:\s*;|$)/;

/**
 * The body from the chunks it came in.
 *
 * @example
 * readResponseBody('application/json; charset=utf-8', [bytesOf('{"a":1}')]) // { valid: true, body: rawJson([bytesOf('{"a":1}')]) }
 * readResponseBody('text/plain', [bytesOf('hi')])                          // { valid: true, body: { raw_response: 'hi' } }
 */
export function readResponseBody(contentType: string | undefined, chunks: readonly Uint8Array[]): ResponseBody {
  const mediaType = (contentType ?? '').toLowerCase();
  const decoder = decoderFor(charsetOf(mediaType));
  const isJson = mediaType.includes('application/json');
  // The usual answer, JSON in UTF-8, goes on as the chunks that came: never decoded, never
  // joined, never encoded again. Anything else (another charset, broken UTF-8 or JSON) takes
  // the way below.
  if (isJson && decoder.encoding === 'utf-8') {
    const json = withoutByteOrderMark(chunks);
    if (checkJsonBytes(json) === 'valid') return { valid: true, body: rawJson(json) };
  }
  const text = decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  const raw = { raw_response: text };
  if (text.trim() === '') return { valid: true, body: raw };
  if (isJson) return parseJson(text, raw);
  if (XML_TYPE.test(mediaType)) return { valid: true, body: parseXml(text) ?? raw };
  return { valid: true, body: raw };
}

/**
 * How many bytes of memory one byte of a body with this Content-Type takes until the envelope
 * is written, for the proxy's response budget: UTF-8 JSON goes on as the bytes that came (1);
 * any other body is also decoded to text, and that text serialized into the envelope (3).
 *
 * @example
 * memoryPerBodyByte('application/json') // 1
 * memoryPerBodyByte('text/html; charset=utf-8') // 3
 */
export function memoryPerBodyByte(contentType: string | undefined): number {
  const mediaType = (contentType ?? '').toLowerCase();
  return mediaType.includes('application/json') && decoderFor(charsetOf(mediaType)).encoding === 'utf-8' ? 1 : 3;
}

function parseJson(text: string, raw: RawResponse): ResponseBody {
  // Checked without building the value: broken JSON is the third party's fault, for the caller to
  // report, and so is JSON nested too deep, which overflows the stack of whatever walks it again.
  if (checkJsonText(text) !== 'valid') return { valid: false, body: raw };
  // The text itself goes into the envelope, sparing a parse and a second serialization.
  return { valid: true, body: rawJson(text) };
}

const UTF8 = new TextDecoder('utf-8');
// Charset labels come from third parties: remember a bounded number of them.
const MAX_CACHED_DECODERS = 32;
const decoders = new Map<string, TextDecoder>([['utf-8', UTF8]]);

/** The charset the Content-Type names, UTF-8 when none. */
function charsetOf(mediaType: string): string {
  return /charset\s*=\s*"?([^";\s]+)/.exec(mediaType)?.[1] ?? 'utf-8';
}

const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * What the UTF-8 decoder would read: it skips one byte order mark at the start. A mark cut
 * between chunks is left, and the answer takes the decoding way, which drops it.
 */
function withoutByteOrderMark(chunks: readonly Uint8Array[]): readonly Uint8Array[] {
  const first = chunks[0];
  if (first === undefined || !BYTE_ORDER_MARK.every((byte, at) => first[at] === byte)) return chunks;
  return [first.subarray(BYTE_ORDER_MARK.length), ...chunks.slice(1)];
}

/** The decoder for `charset`: UTF-8's for one this runtime does not know. */
function decoderFor(charset: string): TextDecoder {
  const cached = decoders.get(charset);
  if (cached !== undefined) return cached;
  const decoder = newDecoder(charset) ?? UTF8;
  if (decoders.size < MAX_CACHED_DECODERS) decoders.set(charset, decoder);
  return decoder;
}

function newDecoder(label: string): TextDecoder | undefined {
  try {
    return new TextDecoder(label);
  } catch (error) {
    // The TextDecoder constructor's only way to say "unknown label" is a RangeError.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
