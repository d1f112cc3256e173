/**
 * The items of a JSON array in UTF-8 bytes, one at a time, as text: so a file of a million items
 * is parsed item by item (each parsed item dies young) instead of whole (the file as one string,
 * twice its size in memory once it holds a character beyond Latin-1, and every item alive at once).
 *
 * Only the array's frame is read here: where each item ends (strings skipped, brackets counted),
 * and that only whitespace, commas and the closing bracket lie between them. Each item's text is
 * for the caller to `JSON.parse`, which checks everything inside it. The bytes looked for (`"`,
 * `\`, brackets, `,`) are ASCII, which UTF-8 never uses inside a longer character.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Why the bytes are not a JSON array; the message says where. */
export class NotJsonArray extends Error {
  constructor(
    message: string,
    /** True when the text is not an array at all (as opposed to an array that is cut short or malformed). */
    readonly notAnArray = false,
  ) {
    super(message);
  }
}

/** Calls `visit` with each item's text and index, in order. A UTF-8 byte order mark is passed over. */
export function forEachArrayItem(bytes: Buffer, visit: (text: string, index: number) => void): void {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let at = skipWhitespace(bytes, bom);
  if (bytes[at] !== OPEN_ARRAY) throw new NotJsonArray('it does not start with [', true);
  at = skipWhitespace(bytes, at + 1);
  if (bytes[at] !== CLOSE_ARRAY) {
    for (let index = 0; ; index += 1) {
      if (at >= bytes.length) throw new NotJsonArray(`it ends before item ${index}`);
      const end = itemEnd(bytes, at, index);
      visit(bytes.toString('utf8', at, end), index);
      at = skipWhitespace(bytes, end);
      if (bytes[at] === CLOSE_ARRAY) break;
      if (bytes[at] !== COMMA) throw new NotJsonArray(`after item ${index} comes ${describe(bytes, at)} where , or ] belongs`);
      at = skipWhitespace(bytes, at + 1);
    }
  }
  if (skipWhitespace(bytes, at + 1) < bytes.length) throw new NotJsonArray('there is more after its closing ]');
}

/** Just past the item starting at `start`: an object, array or string by its brackets and quotes, anything else up to a comma, bracket or space. */
function itemEnd(bytes: Buffer, start: number, index: number): number {
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start, index);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let at = start;
    while (at < bytes.length && bytes[at] !== COMMA && bytes[at] !== CLOSE_ARRAY && !isWhitespace(bytes[at]!)) at += 1;
    return at;
  }
  let depth = 0;
  for (let at = start; at < bytes.length; at += 1) {
    const byte = bytes[at];
    if (byte === QUOTE) at = stringEnd(bytes, at, index) - 1;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth += 1;
    else if ((byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) && --depth === 0) return at + 1;
  }
  throw new NotJsonArray(`it ends inside item ${index}`);
}

/** Just past the closing quote of the string opening at `start`. */
function stringEnd(bytes: Buffer, start: number, index: number): number {
  let at = start + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote === -1) throw new NotJsonArray(`it ends inside a string of item ${index}`);
    // A quote after an odd number of backslashes is part of the string.
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

function skipWhitespace(bytes: Buffer, from: number): number {
  let at = from;
  while (at < bytes.length && isWhitespace(bytes[at]!)) at += 1;
  return at;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function describe(bytes: Buffer, at: number): string {
  return at >= bytes.length ? 'the end of the file' : JSON.stringify(bytes.toString('utf8', at, Math.min(bytes.length, at + 10)));
}
