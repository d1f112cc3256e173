import { searchKey } from './search-key.js';

/** One suggestion as SpiffArena's typeahead data store keeps it. */
export interface TypeaheadItem {
  readonly search_term: string;
  readonly result: unknown;
}

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
 * characters, the result's JSON and 8 bytes, against the ~100 bytes of V8 object and string
 * headers that a parsed item and a string per key and per result would take on top.
 */
export class TypeaheadIndex {
  private constructor(
    /** Every item's search key, in order, back to back. */
    private readonly keys: string,
    /** Key i is `keys.slice(keyBounds[i], keyBounds[i + 1])`. */
    private readonly keyBounds: Uint32Array,
    /** Every item's result as JSON, in order, each followed by a comma. */
    private readonly results: Buffer,
    /** Result i is `results.subarray(resultBounds[i], resultBounds[i + 1] - 1)`. */
    private readonly resultBounds: Uint32Array,
  ) {}

  /**
   * Sorts and lays out `items` (checked by the caller). `sizeHint`, the bytes their results'
   * JSON may take (the file's size will do), saves growing the buffer as it fills.
   */
  static build(items: readonly TypeaheadItem[], sizeHint = 0): TypeaheadIndex {
    const keys = items.map((item) => searchKey(item.search_term));
    const order = keys.map((_key, index) => index);
    // Array#sort is stable: items equal in key and term stay in file order.
    order.sort((a, b) => compareText(keys[a]!, keys[b]!) || compareText(items[a]!.search_term, items[b]!.search_term));
    const keyBounds = new Uint32Array(items.length + 1);
    const sortedKeys = order.map((index, position) => {
      const key = keys[index]!;
      keyBounds[position + 1] = keyBounds[position]! + key.length;
      return key;
    });
    const { results, resultBounds } = resultsInOrder(items, order, sizeHint);
    return new TypeaheadIndex(sortedKeys.join(''), keyBounds, results, resultBounds);
  }

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

/**
 * The items' results as JSON in `order`, each followed by a comma, written into one buffer as
 * they are serialized: each JSON string dies young instead of a million of them being kept until
 * the total size is known (which made loading spend a third of its time collecting garbage).
 */
function resultsInOrder(items: readonly TypeaheadItem[], order: readonly number[], sizeHint: number): { results: Buffer; resultBounds: Uint32Array } {
  let results: Buffer = Buffer.allocUnsafe(Math.max(1024, sizeHint));
  const resultBounds = new Uint32Array(items.length + 1);
  let offset = 0;
  order.forEach((index, position) => {
    const json = JSON.stringify(items[index]!.result);
    const needed = offset + Buffer.byteLength(json) + 1;
    if (needed > results.length) results = grown(results, offset, needed);
    offset += results.write(json, offset);
    offset = results.writeUInt8(0x2c, offset); // ','
    resultBounds[position + 1] = offset;
  });
  // Slack past an eighth is given back: the index lives as long as the process.
  return { results: results.length - offset > results.length / 8 ? Buffer.from(results.subarray(0, offset)) : results.subarray(0, offset), resultBounds };
}

function grown(buffer: Buffer, used: number, needed: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  buffer.copy(larger, 0, 0, used);
  return larger;
}

/** By UTF-16 code units, as `<` compares strings: what `compareKey` and binary search rely on. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
