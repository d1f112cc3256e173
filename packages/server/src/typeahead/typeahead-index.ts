import { searchKey } from './search-key.js';
import type { TypeaheadIndexBuilder } from './typeahead-index-builder.js';

const EMPTY = [Buffer.from('[]')];
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

/**
 * One category's items, laid out for prefix look-ups: sorted by search key (search-key.ts), then
 * by search term, then in file order. Items whose keys start with a prefix are then one run of
 * neighbours, found by binary search; and since the results' JSON is stored in the same order,
 * one after the other with a comma between, an answer is one slice of ready JSON between `[`
 * and `]`: nothing is serialized per call.
 *
 * Compact on purpose (a category may hold millions of items): the keys are one string with their
 * bounds in a typed array, the results one buffer of UTF-8 with theirs. Per item that is the key's
 * characters, the result's JSON and 8 bytes, without the header (and alignment) that V8 gives
 * every string and object: a string per key and per result, or the parsed items, would add
 * tens of bytes an item, and a million objects for the collector to trace.
 */
export class TypeaheadIndex {
  /** Made by {@link TypeaheadIndexBuilder}, which sorts and lays the items out. */
  constructor(
    /** Every item's search key, in order, back to back. */
    private readonly keys: string,
    /** Key i is `keys.slice(keyBounds[i], keyBounds[i + 1])`. */
    private readonly keyBounds: Uint32Array,
    /** Every item's result as JSON, in order, each followed by a comma. */
    private readonly results: Buffer,
    /** Result i is `results.subarray(resultBounds[i], resultBounds[i + 1] - 1)`. */
    private readonly resultBounds: Uint32Array,
  ) {}

  get size(): number {
    return this.keyBounds.length - 1;
  }

  /** Bytes held: the keys (at 1 or 2 bytes a character, as V8 stores them), the results' JSON and the bounds. */
  get bytes(): number {
    const wide = /[^\x00-\xff]/.test(this.keys);
    return this.keys.length * (wide ? 2 : 1) + this.results.length + this.keyBounds.byteLength + this.resultBounds.byteLength;
  }

  /**
   * The JSON array of the results of the first `limit` items whose search key starts with
   * `prefix`'s, in order, as parts to write one after the other (nothing is copied). An empty
   * prefix matches every item.
   */
  lookup(prefix: string, limit: number): readonly Uint8Array[] {
    const key = searchKey(prefix);
    const first = this.firstAtOrAfter(key);
    const end = this.endOfRun(key, first, Math.min(this.size, first + limit));
    if (end === first) return EMPTY;
    return [OPEN, this.results.subarray(this.resultBounds[first], this.resultBounds[end]! - 1), CLOSE];
  }

  /** The first item whose key is not below `key`. */
  private firstAtOrAfter(key: string): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compareKey(middle, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** From `first` (which starts with `prefix`, or is past the run), the end of the run of keys starting with it, at most `cap`. */
  private endOfRun(prefix: string, first: number, cap: number): number {
    let low = first;
    let high = cap;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.startsWith(middle, prefix)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Key `index` against `text`, by UTF-16 code units, as `compareText` sorted them. */
  private compareKey(index: number, text: string): number {
    const start = this.keyBounds[index]!;
    const length = this.keyBounds[index + 1]! - start;
    const common = Math.min(length, text.length);
    for (let i = 0; i < common; i += 1) {
      const difference = this.keys.charCodeAt(start + i) - text.charCodeAt(i);
      if (difference !== 0) return difference;
    }
    return length - text.length;
  }

  private startsWith(index: number, prefix: string): boolean {
    const start = this.keyBounds[index]!;
    // The length check keeps a short key from matching into the key after it.
    return this.keyBounds[index + 1]! - start >= prefix.length && this.keys.startsWith(prefix, start);
  }
}

/** By UTF-16 code units, as `<` compares strings: the order `compareKey` and binary search rely on. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
