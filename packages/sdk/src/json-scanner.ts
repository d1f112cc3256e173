/**
 * The WebAssembly JSON scanner (wasm/json-scanner.wat): compiled once when the SDK loads, one
 * instance whose memory the text is copied into, call by call.
 */
import { isUtf8 } from 'node:buffer';
import { JSON_SCANNER_WASM } from './json-scanner-binary.js';
import type { JsonTextVerdict } from './json-validation.js';

/** What the scanner's `check` answers, by its number. */
const VERDICTS: readonly JsonTextVerdict[] = ['valid', 'invalid', 'too-deep'];

/** The scanner's exports (the offsets are where its tables and the text go in its memory). */
interface ScannerExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  check(length: number, maxNesting: number): number;
  readonly plainTable: { readonly value: number };
  readonly whitespaceTable: { readonly value: number };
  readonly digitTable: { readonly value: number };
  readonly hexTable: { readonly value: number };
  readonly escapeTable: { readonly value: number };
  readonly text: { readonly value: number };
}

/** The part of the WebAssembly API used here: TypeScript declares it only with the DOM library. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

const PAGE_BYTES = 65_536;
/** Past the text the scanner needs one byte per level of its stack (at most one per byte of text), and 64 spare. */
const SPARE_BYTES = 64;
/**
 * Memory an instance may keep after a call: a rare large text makes its memory grow, and
 * WebAssembly memory never shrinks, so such an instance is dropped for a new one.
 */
const KEPT_MEMORY_BYTES = 4 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const byteClass = (member: (byte: number) => boolean): Uint8Array => Uint8Array.from({ length: 256 }, (_, byte) => (member(byte) ? 1 : 0));
const charClass = (member: (char: string) => boolean): Uint8Array => byteClass((byte) => member(String.fromCharCode(byte)));

const compiled = new Module(Buffer.from(JSON_SCANNER_WASM, 'base64'));

/** A scanner instance: its memory as bytes is looked up again after it grows (growing detaches the old buffer). */
interface Scanner {
  readonly exports: ScannerExports;
  memory: Uint8Array;
}

function newScanner(): Scanner {
  const exports = new Instance(compiled).exports as ScannerExports;
  const memory = new Uint8Array(exports.memory.buffer);
  // Bytes that stand in a string as they are; bytes from 0x80 up included (UTF-8 is checked after the scan).
  memory.set(byteClass((byte) => byte >= SPACE && byte !== QUOTE && byte !== BACKSLASH), exports.plainTable.value);
  memory.set(charClass((char) => ' \t\n\r'.includes(char)), exports.whitespaceTable.value);
  memory.set(charClass((char) => /[0-9]/.test(char)), exports.digitTable.value);
  memory.set(charClass((char) => /[0-9a-fA-F]/.test(char)), exports.hexTable.value);
  memory.set(charClass((char) => '"\\/bfnrt'.includes(char)), exports.escapeTable.value);
  return { exports, memory };
}

let scanner = newScanner();

/**
 * The scanner's verdict on the text `chunks` make, one after the other (see checkJsonBytes);
 * `'invalid'` too when `checkUtf8` is set and they are not well-formed UTF-8. Synchronous and
 * calling nothing that could re-enter it, so the one instance serves every call.
 */
export function scanJson(chunks: readonly Uint8Array[], maxNesting: number, checkUtf8: boolean): JsonTextVerdict {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const text = roomFor(length);
  let at = text;
  for (const chunk of chunks) {
    scanner.memory.set(chunk, at);
    at += chunk.length;
  }
  const { exports } = scanner;
  // The scanner compares depths as unsigned 32-bit numbers.
  let verdict = VERDICTS[exports.check(length, Math.max(0, Math.min(maxNesting, 0x7fff_ffff)))]!;
  // UTF-8 is checked on the copy, whole: a character may be split between two chunks.
  if (checkUtf8 && verdict !== 'invalid' && !isUtf8(scanner.memory.subarray(text, text + length))) verdict = 'invalid';
  if (scanner.memory.length > KEPT_MEMORY_BYTES) scanner = newScanner();
  return verdict;
}

/** Where a text of `length` bytes goes in the scanner's memory, grown to hold it and the scanner's stack. */
function roomFor(length: number): number {
  const { exports } = scanner;
  const text = exports.text.value;
  const needed = text + 2 * length + SPARE_BYTES;
  if (needed > scanner.memory.length) {
    exports.memory.grow(Math.ceil((needed - scanner.memory.length) / PAGE_BYTES));
    scanner.memory = new Uint8Array(exports.memory.buffer);
  }
  return text;
}
