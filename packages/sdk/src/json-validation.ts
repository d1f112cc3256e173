import { MAX_JSON_NESTING } from './json-nesting.js';

/** What {@link checkJsonText} found: `'too-deep'` is JSON that `JSON.parse` accepts but nests past the limit. */
export type JsonTextVerdict = 'valid' | 'invalid' | 'too-deep';

// Character codes the grammar names (RFC 8259).
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const ONE = 0x31;
const NINE = 0x39;
const COLON = 0x3a;
const LOWER_A = 0x61;
const LOWER_B = 0x62;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_R = 0x72;
const LOWER_T = 0x74;
const LOWER_U = 0x75;
const LEFT_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RIGHT_BRACKET = 0x5d;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;
/** OR-ing this bit folds an ASCII capital letter onto its lower case ('E' → 'e'). */
const LOWER_CASE_BIT = 0x20;

/**
 * The opening brackets of the open containers, innermost last. Shared by every call (the check is
 * synchronous and calls nothing that could re-enter it), so the usual call allocates nothing;
 * JSON nested past its size gets a larger private copy (see {@link withRoomFor}).
 */
const openContainers = new Uint8Array(MAX_JSON_NESTING + 1);

/**
 * Checks JSON text without building the value: `'valid'` exactly when `JSON.parse(text)`
 * succeeds and objects and arrays nest at most `maxNesting` levels deep (the same count as
 * {@link jsonNestsTooDeep}), `'too-deep'` when `JSON.parse` succeeds but they nest deeper,
 * `'invalid'` when `JSON.parse` throws. One pass over the characters, no recursion: it survives
 * any depth, allocates nothing (below the shared stack's depth), so checked text can go on as it is
 * (see {@link rawJson}) without a parsed copy to build and collect.
 *
 * @example
 * if (checkJsonText(text) !== 'valid') return { valid: false, body: { raw_response: text } };
 * return { valid: true, body: rawJson(text) };
 */
export function checkJsonText(text: string, maxNesting = MAX_JSON_NESTING): JsonTextVerdict {
  // Whitespace skips are written out in place, each leaving the next character in `c`: as a
  // function that returns an index (and a re-read character) per token, this ran slower than JSON.parse.
  let kinds: Uint8Array = openContainers;
  let depth = 0;
  let deepest = 0;
  let i = 0;
  let c = text.charCodeAt(0);
  value: for (;;) {
    // `i` is at a value, or whitespace before it.
    while (c === SPACE || c === LINE_FEED || c === CARRIAGE_RETURN || c === TAB) c = text.charCodeAt(++i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return 'invalid';
    } else if (c === LEFT_BRACE || c === LEFT_BRACKET) {
      // Keep checking past the limit: JSON that nests too deep and is broken too is 'invalid'.
      if (depth === kinds.length) kinds = withRoomFor(kinds);
      kinds[depth++] = c;
      if (depth > deepest) deepest = depth;
      const opening = c;
      c = text.charCodeAt(++i);
      while (c === SPACE || c === LINE_FEED || c === CARRIAGE_RETURN || c === TAB) c = text.charCodeAt(++i);
      if (c === closing(opening)) {
        // `{}` or `[]`: a complete value.
        depth -= 1;
        i += 1;
      } else if (opening === LEFT_BRACE) {
        i = memberValueStart(text, i);
        if (i < 0) return 'invalid';
        c = text.charCodeAt(i);
        continue value;
      } else {
        continue value;
      }
    } else {
      i = scalarEnd(text, i, c);
      if (i < 0) return 'invalid';
    }
    // After a value: the containers it closes, then a comma before the next value, or the end.
    c = text.charCodeAt(i);
    for (;;) {
      while (c === SPACE || c === LINE_FEED || c === CARRIAGE_RETURN || c === TAB) c = text.charCodeAt(++i);
      if (depth === 0) {
        if (i !== text.length) return 'invalid';
        return deepest > maxNesting ? 'too-deep' : 'valid';
      }
      const opening = kinds[depth - 1] as number;
      if (c === COMMA) {
        i = opening === LEFT_BRACE ? memberValueStart(text, i + 1) : i + 1;
        if (i < 0) return 'invalid';
        c = text.charCodeAt(i);
        continue value;
      }
      if (c !== closing(opening)) return 'invalid';
      depth -= 1;
      c = text.charCodeAt(++i);
    }
  }
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
function memberValueStart(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === SPACE || c === LINE_FEED || c === CARRIAGE_RETURN || c === TAB) c = text.charCodeAt(++i);
  if (c !== QUOTE) return -1;
  i = stringEnd(text, i);
  if (i < 0) return -1;
  c = text.charCodeAt(i);
  while (c === SPACE || c === LINE_FEED || c === CARRIAGE_RETURN || c === TAB) c = text.charCodeAt(++i);
  return c === COLON ? i + 1 : -1;
}

/**
 * Just past the closing quote of the string whose opening quote is at `i`; -1 when it never
 * closes, holds a raw control character or a malformed escape. Any other code unit passes,
 * lone surrogates included, as `JSON.parse` lets them.
 */
function stringEnd(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(++i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      i = escapeEnd(text, i + 1) - 1;
      if (i < 0) return -1;
    } else if (!(c >= SPACE)) {
      // A raw control character, or NaN: the text ended inside the string.
      return -1;
    }
  }
}

/** Just past the number or literal starting at `i` with character `first`; -1 when there is none. */
function scalarEnd(text: string, i: number, first: number): number {
  switch (first) {
    case LOWER_T:
      return text.startsWith('true', i) ? i + 4 : -1;
    case LOWER_F:
      return text.startsWith('false', i) ? i + 5 : -1;
    case LOWER_N:
      return text.startsWith('null', i) ? i + 4 : -1;
    default:
      return first === MINUS || isDigit(first) ? numberEnd(text, i) : -1;
  }
}

/** Just past the escape whose letter is at `i` (after the backslash); -1 when it is not one of JSON's. */
function escapeEnd(text: string, i: number): number {
  switch (text.charCodeAt(i)) {
    case QUOTE:
    case BACKSLASH:
    case SLASH:
    case LOWER_B:
    case LOWER_F:
    case LOWER_N:
    case LOWER_R:
    case LOWER_T:
      return i + 1;
    case LOWER_U:
      return isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3)) && isHex(text.charCodeAt(i + 4))
        ? i + 5
        : -1;
    default:
      return -1;
  }
}

/** Just past the number at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; -1 when malformed. */
function numberEnd(text: string, i: number): number {
  let c = text.charCodeAt(i);
  if (c === MINUS) c = text.charCodeAt(++i);
  // No leading zeros: after a 0 the integer part is over, and a digit there makes the caller reject it.
  if (c === ZERO) c = text.charCodeAt(++i);
  else if (c >= ONE && c <= NINE) while (isDigit(c)) c = text.charCodeAt(++i);
  else return -1;
  if (c === DOT) {
    const fractionStart = i + 1;
    do c = text.charCodeAt(++i);
    while (isDigit(c));
    if (i === fractionStart) return -1;
  }
  if ((c | LOWER_CASE_BIT) === LOWER_E) {
    c = text.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
    const exponentStart = i;
    while (isDigit(c)) c = text.charCodeAt(++i);
    if (i === exponentStart) return -1;
  }
  return i;
}

/** False for NaN too, which `charCodeAt` gives past the end of the text. */
function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  const lower = c | LOWER_CASE_BIT;
  return isDigit(c) || (lower >= LOWER_A && lower <= LOWER_F);
}
