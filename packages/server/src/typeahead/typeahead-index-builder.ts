import { searchKey } from './search-key.js';
import { compareText, TypeaheadIndex } from './typeahead-index.js';

/** One suggestion as SpiffArena's typeahead data store keeps it. */
export interface TypeaheadItem {
  readonly search_term: string;
  readonly result: unknown;
}

/**
 * Collects one category's items as they are read, then sorts them into a {@link TypeaheadIndex}.
 * An item is not kept: its search term and key are, and its result is serialized at once into a
 * staging buffer, so each parsed item dies young (a million parsed items held until the sort
 * filled the old generation, and the collector's time with it).
 */
export class TypeaheadIndexBuilder {
  private readonly keys: string[] = [];
  private readonly terms: string[] = [];
  private staging: Buffer;
  /** Item i's result is `staging.subarray(stagedBounds[i], stagedBounds[i + 1])`. */
  private readonly stagedBounds: number[] = [0];
  private staged = 0;

  /** `sizeHint`: the bytes the results' JSON may take (the file's size will do), to allocate once. */
  constructor(sizeHint: number) {
    this.staging = Buffer.allocUnsafe(Math.max(1024, sizeHint));
  }

  add(item: TypeaheadItem): void {
    this.keys.push(searchKey(item.search_term));
    this.terms.push(item.search_term);
    const json = JSON.stringify(item.result);
    const needed = this.staged + Buffer.byteLength(json);
    if (needed > this.staging.length) this.staging = grown(this.staging, this.staged, needed);
    this.staged += this.staging.write(json, this.staged);
    this.stagedBounds.push(this.staged);
  }

  /** Sorted by key, then by search term (code units), then in the order added (Array#sort is stable). */
  build(): TypeaheadIndex {
    const { keys, terms } = this;
    const order = keys.map((_key, index) => index);
    order.sort((a, b) => compareText(keys[a]!, keys[b]!) || compareText(terms[a]!, terms[b]!));
    const keyBounds = new Uint32Array(order.length + 1);
    const sortedKeys = order.map((index, position) => {
      const key = keys[index]!;
      keyBounds[position + 1] = keyBounds[position]! + key.length;
      return key;
    });
    const { results, resultBounds } = this.resultsInOrder(order);
    return new TypeaheadIndex(sortedKeys.join(''), keyBounds, results, resultBounds);
  }

  /** The staged results copied in `order`, each followed by a comma, into a buffer of exactly their size. */
  private resultsInOrder(order: readonly number[]): { results: Buffer; resultBounds: Uint32Array } {
    const results = Buffer.allocUnsafe(this.staged + order.length);
    const resultBounds = new Uint32Array(order.length + 1);
    let offset = 0;
    order.forEach((index, position) => {
      offset += this.staging.copy(results, offset, this.stagedBounds[index], this.stagedBounds[index + 1]);
      offset = results.writeUInt8(0x2c, offset); // ','
      resultBounds[position + 1] = offset;
    });
    return { results, resultBounds };
  }
}

function grown(buffer: Buffer, used: number, needed: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  buffer.copy(larger, 0, 0, used);
  return larger;
}
