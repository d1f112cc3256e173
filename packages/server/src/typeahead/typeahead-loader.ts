import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { invalidTypeaheadData } from '../errors.js';
import { forEachArrayItem, NotJsonArray } from './json-array-items.js';
import type { TypeaheadIndex } from './typeahead-index.js';
import { TypeaheadIndexBuilder, type TypeaheadItem } from './typeahead-index-builder.js';

/** Every category served, by name: only plain names (CATEGORY_NAME), never a path. */
export type TypeaheadCatalog = ReadonlyMap<string, TypeaheadIndex>;

const SUFFIX = '.json';
/** Letters, digits, `_`, `-` and `.`, not first: a file name on every system, and never a path. */
const CATEGORY_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/**
 * Reads every `<category>.json` in `folder` (none when it is unset) and indexes it, once, at
 * start, before the proxy listens. Hidden files and folders are passed over. A folder that cannot
 * be read, a file name that is not a plain category name, a file that is not a JSON array, or an
 * item that is not JSON, not an object, without a string `search_term` or without a `result`
 * stops the start, naming the file and the item.
 */
export function loadTypeaheadCatalog(folder: string | undefined): TypeaheadCatalog {
  const catalog = new Map<string, TypeaheadIndex>();
  if (folder === undefined) return catalog;
  for (const name of listFolder(folder).sort()) {
    if (!name.endsWith(SUFFIX) || name.startsWith('.')) continue;
    const file = path.join(folder, name);
    const bytes = readDataFile(file);
    if (bytes === undefined) continue;
    const category = name.slice(0, -SUFFIX.length);
    if (!CATEGORY_NAME.test(category)) {
      throw invalidTypeaheadData(`holds ${file}, whose name is not <category>.json with a plain category name (letters, digits, _, - and ., not first; at most 100 characters)`);
    }
    catalog.set(category, indexFile(file, bytes));
  }
  return catalog;
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    throw invalidTypeaheadData(`is ${folder}, which could not be read as a folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The file's bytes; undefined for a folder named *.json, which is not data. Symbolic links are
 * followed. Read at once, before anything is served: the promise API reads in 512 KB chunks, each
 * a trip through the thread pool, and took seconds longer on 100 MB.
 */
function readDataFile(file: string): Buffer | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
    return readFileSync(file);
  } catch (error) {
    throw invalidTypeaheadData(`holds ${file}, which could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function indexFile(file: string, bytes: Buffer): TypeaheadIndex {
  const builder = new TypeaheadIndexBuilder(bytes.length);
  try {
    forEachArrayItem(bytes, (text, index) => builder.add(checkedItem(file, text, index)));
  } catch (error) {
    if (!(error instanceof NotJsonArray)) throw error;
    if (error.notAnArray) throw invalidTypeaheadData(`holds ${file}, which is not a JSON array of {"search_term": "...", "result": {...}} items`);
    throw invalidTypeaheadData(`holds ${file}, which is not JSON (${error.message})`);
  }
  try {
    return builder.build();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Past what one string or buffer can hold (~512 M characters of keys, ~4 GB of results).
    throw invalidTypeaheadData(`holds ${file}, which is too large to hold in memory (${error.message})`);
  }
}

function checkedItem(file: string, text: string, index: number): TypeaheadItem {
  const where = `holds ${file}, whose item ${index} (counting from 0)`;
  let item: unknown;
  try {
    item = JSON.parse(text);
  } catch (error) {
    throw invalidTypeaheadData(`${where} is not JSON (${(error as Error).message})`);
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidTypeaheadData(`${where} is not a {"search_term": "...", "result": {...}} object`);
  if (typeof (item as Record<string, unknown>).search_term !== 'string') throw invalidTypeaheadData(`${where} has no "search_term" string`);
  if (!Object.hasOwn(item, 'result')) throw invalidTypeaheadData(`${where} has no "result"`);
  return item as TypeaheadItem;
}
