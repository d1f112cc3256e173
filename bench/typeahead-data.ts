/**
 * A typeahead category for the bench: `count` items of SpiffArena's shape, written to
 * `<folder>/<name>.json` in chunks (the bench never holds the whole text), from a seeded random
 * sequence so every run loads the same data.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Syllables of made-up place names, some with letters beyond ASCII, as city lists have. */
const SYLLABLES = ['ka', 'lo', 'mi', 'ber', 'an', 'to', 'ré', 'sa', 'ön', 'el', 'du', 'gar', 'is', 've', 'ny', 'qu', 'zo', 'hå', 'pi', 'ur', 'bri', 'st', 'mo', 'ta'];
const COUNTRIES = ['Norway', 'Germany', 'France', 'Japan', 'Brazil', 'Kenya', 'Canada', 'India', 'Chile', 'Spain'];
const CHUNK_ITEMS = 10_000;

export interface GeneratedCategory {
  readonly file: string;
  /** Item i's search term: what the bench checks answers against. */
  readonly terms: readonly string[];
  readonly bytes: number;
}

export function writeCategory(folder: string, name: string, count: number, seed: number): GeneratedCategory {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const word = (): string => {
    let text = '';
    for (let syllables = 2 + Math.floor(random() * 3); syllables > 0; syllables -= 1) text += pick(SYLLABLES);
    return text;
  };
  const terms: string[] = [];
  const file = path.join(folder, `${name}.json`);
  const descriptor = openSync(file, 'w');
  let bytes = 0;
  const write = (text: string): void => {
    bytes += writeSync(descriptor, text);
  };
  try {
    write('[');
    for (let start = 0; start < count; start += CHUNK_ITEMS) {
      const items: string[] = [];
      for (let id = start; id < Math.min(count, start + CHUNK_ITEMS); id += 1) {
        const first = word();
        // Mixed case, as real data comes: most capitalized, some not, some shouting.
        const shape = random();
        const cased = shape < 0.7 ? first[0]!.toUpperCase() + first.slice(1) : shape < 0.9 ? first : first.toUpperCase();
        const term = `${cased} ${word()}`;
        terms.push(term);
        items.push(JSON.stringify({ search_term: term, result: { id, name: term, country: pick(COUNTRIES), population: Math.floor(random() * 1_000_000) } }));
      }
      write((start === 0 ? '' : ',') + items.join(','));
    }
    write(']');
  } finally {
    closeSync(descriptor);
  }
  return { file, terms, bytes };
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
