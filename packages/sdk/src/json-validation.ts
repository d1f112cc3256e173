import { MAX_JSON_NESTING } from './json-nesting.js';

/** What {@link checkJsonBytes} found: `'too-deep'` is JSON that `JSON.parse` accepts but nests past the limit. */
export type JsonTextVerdict = 'valid' | 'invalid' | 'too-deep';

// Bytes the grammar names (RFC 8259).
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const ONE = 0x31;
const NINE = 0x39;
const COLON = 0x3a;
const LEFT_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;
const LOWER_U = 0x75;
const LEFT_BRACE = 0x7b;
/** OR-ing this bit folds an ASCII capital letter onto its lower case ('E' → 'e'). */
const LOWER_CASE_BIT = 0x20;

// One table lookup per byte is what makes the scan fast: a chain of comparisons per byte ran
// at half the speed. Each table is 1 for the bytes of its class.
const byteClass = (member: (byte: number) => boolean): Uint8Array => Uint8Array.from({ length: 256 }, (_, byte) => (member(byte) ? 1 : 0));
/** Bytes that stand in a string as they are: not a control character, a quote or a backslash. */
const STRING_PLAIN = byteClass((byte) => byte >= SPACE && byte !== QUOTE && byte !== BACKSLASH);
const WHITESPACE = byteClass((byte) => byte === SPACE || byte === LINE_FEED || byte === CARRIAGE_RETURN || byte === TAB);
const DIGIT = byteClass((byte) => byte >= ZERO && byte <= NINE);
const HEX_DIGIT = byteClass((byte) => /[0-9a-fA-F]/.test(String.fromCharCode(byte)));
/** The letters after a backslash that make an escape, but for `u`. */
const ESCAPE_LETTER = byteClass((byte) => '"\\/bfnrt'.includes(String.fromCharCode(byte)));

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/**
 * The opening brackets of the open containers, innermost last. Shared by every call (the check is
 * synchronous and calls nothing that could re-enter it), so the usual call allocates nothing;
 * JSON nested past its size gets a larger private copy (see {@link withRoomFor}).
 */
const openContainers = new Uint8Array(MAX_JSON_NESTING + 1);

/**
 * Checks UTF-8 JSON text without building the value: `'valid'` exactly when `JSON.parse` of the
 * decoded text succeeds and objects and arrays nest at most `maxNesting` levels deep (the same
 * count as {@link jsonNestsTooDeep}), `'too-deep'` when `JSON.parse` succeeds but they nest
 * deeper, `'invalid'` when `JSON.parse` throws. One pass over the bytes, no recursion: it survives
 * any depth, allocates nothing (below the shared stack's depth), and the bytes need no decoding,
 * so checked bytes can go on as they are (see {@link rawJson}). It does not check that the bytes
 * are well-formed UTF-8 (`isUtf8` from `node:buffer` does), and a byte order mark is not JSON.
 *
 * @example
 * if (!isUtf8(bytes) || checkJsonBytes(bytes) !== 'valid') return { valid: false, body: { raw_response: text } };
 * return { valid: true, body: rawJson(bytes) };
 */
export function checkJsonBytes(bytes: Uint8Array, maxNesting = MAX_JSON_NESTING): JsonTextVerdict {
  // Every read below is at an index checked against `end` first: `!` says so to the compiler.
  const end = bytes.length;
  let kinds: Uint8Array = openContainers;
  let depth = 0;
  let deepest = 0;
  let i = 0;
  value: for (;;) {
    // `i` is at a value, or whitespace before it.
    while (i < end && WHITESPACE[bytes[i]!] === 1) i++;
    if (i === end) return 'invalid';
    const c = bytes[i]!;
    if (c === QUOTE) {
      i = stringEnd(bytes, i, end);
      if (i < 0) return 'invalid';
    } else if (c === LEFT_BRACE || c === LEFT_BRACKET) {
      // Keep checking past the limit: JSON that nests too deep and is broken too is 'invalid'.
      if (depth === kinds.length) kinds = withRoomFor(kinds);
      kinds[depth++] = c;
      if (depth > deepest) deepest = depth;
      i++;
      while (i < end && WHITESPACE[bytes[i]!] === 1) i++;
      if (i < end && bytes[i] === closing(c)) {
        // `{}` or `[]`: a complete value.
        depth -= 1;
        i += 1;
      } else if (c === LEFT_BRACE) {
        i = memberValueStart(bytes, i, end);
        if (i < 0) return 'invalid';
        continue value;
      } else {
        continue value;
      }
    } else {
      i = scalarEnd(bytes, i, end, c);
      if (i < 0) return 'invalid';
    }
    // After a value: the containers it closes, then a comma before the next value, or the end.
    for (;;) {
      while (i < end && WHITESPACE[bytes[i]!] === 1) i++;
      if (depth === 0) {
        if (i !== end) return 'invalid';
        return deepest > maxNesting ? 'too-deep' : 'valid';
      }
      if (i === end) return 'invalid';
      const opening = kinds[depth - 1]!;
      if (bytes[i] === COMMA) {
        i = opening === LEFT_BRACE ? memberValueStart(bytes, i + 1, end) : i + 1;
        if (i < 0) return 'invalid';
        continue value;
      }
      if (bytes[i] !== closing(opening)) return 'invalid';
      depth -= 1;
      i += 1;
    }
  }
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

/** The bracket that closes `opening` (`{` or `[`): its code is two higher. */
function closing(opening: number): number {
  return opening + 2;
}

/** A stack twice the size holding the same brackets: only JSON nesting past the shared stack pays for it. */
function withRoomFor(kinds: Uint8Array): Uint8Array {
  const larger = new Uint8Array(kinds.length * 2);
  larger.set(kinds);
  return larger;
}

/** From whitespace before a member's name at `i` (`"name" :`), where its value starts; -1 when malformed. */
function memberValueStart(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && WHITESPACE[bytes[i]!] === 1) i++;
  if (i === end || bytes[i] !== QUOTE) return -1;
  i = stringEnd(bytes, i, end);
  if (i < 0) return -1;
  while (i < end && WHITESPACE[bytes[i]!] === 1) i++;
  return i < end && bytes[i] === COLON ? i + 1 : -1;
}

/**
 * Just past the closing quote of the string whose opening quote is at `i`; -1 when it never
 * closes, holds a raw control character or a malformed escape. Any byte from 0x20 up passes
 * (UTF-8 is checked apart), and so does any `\u` escape, lone surrogates included, as `JSON.parse` lets them.
 */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
  for (;;) {
    if (++i === end) return -1;
    const c = bytes[i]!;
    if (STRING_PLAIN[c] === 1) continue;
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH || ++i === end) return -1;
    const letter = bytes[i]!;
    if (letter === LOWER_U) {
      if (i + 4 >= end || HEX_DIGIT[bytes[i + 1]!]! + HEX_DIGIT[bytes[i + 2]!]! + HEX_DIGIT[bytes[i + 3]!]! + HEX_DIGIT[bytes[i + 4]!]! !== 4) return -1;
      i += 4;
    } else if (ESCAPE_LETTER[letter] !== 1) {
      return -1;
    }
  }
}

/** Just past the number or literal starting at `i` with byte `first`; -1 when there is none. */
function scalarEnd(bytes: Uint8Array, i: number, end: number, first: number): number {
  if (first === LOWER_T) return literalEnd(bytes, i, end, TRUE);
  if (first === LOWER_F) return literalEnd(bytes, i, end, FALSE);
  if (first === LOWER_N) return literalEnd(bytes, i, end, NULL);
  return numberEnd(bytes, i, end, first);
}

function literalEnd(bytes: Uint8Array, i: number, end: number, literal: Uint8Array): number {
  if (i + literal.length > end) return -1;
  for (let k = 1; k < literal.length; k++) if (bytes[i + k] !== literal[k]) return -1;
  return i + literal.length;
}

/** Just past the number at `i`, whose first byte is `first`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; -1 when malformed. */
function numberEnd(bytes: Uint8Array, i: number, end: number, first: number): number {
  if (first === MINUS) {
    if (++i === end) return -1;
    first = bytes[i]!;
  }
  // No leading zeros: after a 0 the integer part is over, and a digit there makes the caller reject it.
  if (first === ZERO) i++;
  else if (first >= ONE && first <= NINE) do i++;
  while (i < end && DIGIT[bytes[i]!] === 1);
  else return -1;
  if (i < end && bytes[i] === DOT) {
    const fractionStart = ++i;
    while (i < end && DIGIT[bytes[i]!] === 1) i++;
    if (i === fractionStart) return -1;
  }
  if (i < end && (bytes[i]! | LOWER_CASE_BIT) === LOWER_E) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    const exponentStart = i;
    while (i < end && DIGIT[bytes[i]!] === 1) i++;
    if (i === exponentStart) return -1;
  }
  return i;
}
