import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { invalidTypeaheadData } from '../errors.js';
import { TypeaheadIndex, type TypeaheadItem } from './typeahead-index.js';

/** Every category served, by name. Only names that passed {@link isCategoryName} are in it. */
export type TypeaheadCatalog = ReadonlyMap<string, TypeaheadIndex>;

const SUFFIX = '.json';
/** Letters, digits, `_`, `-` and `.`, not first: a file name on every system, and never a path. */
const CATEGORY_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/** True for a name a category may have. Checked on each file name at load, so the catalog's keys are all such names. */
export function isCategoryName(name: string): boolean {
  return CATEGORY_NAME.test(name);
}

/**
 * Reads every `<category>.json` in `folder` (none when it is unset) and indexes it, once, at
 * start, before the proxy listens. Hidden files and folders are passed over. A folder that cannot be read, a file name that
 * is not a plain category name, a file that is not a JSON array, or an item without a string
 * `search_term` or without a `result` stops the start, naming the file and the item.
 */
export function loadTypeaheadCatalog(folder: string | undefined): TypeaheadCatalog {
  const catalog = new Map<string, TypeaheadIndex>();
  if (folder === undefined) return catalog;
  for (const name of listFolder(folder).sort()) {
    if (!name.endsWith(SUFFIX) || name.startsWith('.')) continue;
    const file = path.join(folder, name);
    const text = readDataFile(file);
    if (text === undefined) continue;
    const category = name.slice(0, -SUFFIX.length);
    if (!isCategoryName(category)) {
      throw invalidTypeaheadData(`holds ${file}, whose name is not <category>.json with a plain category name (letters, digits, _, - and ., not first; at most 100 characters)`);
    }
    catalog.set(category, indexFile(file, text));
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
 * The file's text; undefined for a folder named *.json, which is not data. Symbolic links are
 * followed. Read at once, before anything is served: the promise API reads in 512 KB chunks,
 * each a trip through the thread pool and a string decoder, and took seconds longer on 100 MB.
 */
function readDataFile(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidTypeaheadData(`holds ${file}, which could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function indexFile(file: string, text: string): TypeaheadIndex {
  let items: unknown;
  try {
    // A byte order mark is what some editors start a UTF-8 file with; JSON.parse refuses it.
    items = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw invalidTypeaheadData(`holds ${file}, which is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(items)) throw invalidTypeaheadData(`holds ${file}, which is not a JSON array of {"search_term": "...", "result": {...}} items`);
  items.forEach((item: unknown, index) => checkItem(file, item, index));
  try {
    return TypeaheadIndex.build(items as TypeaheadItem[], text.length);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Past what one string or buffer can hold (~512 M characters of keys, ~4 GB of results).
    throw invalidTypeaheadData(`holds ${file}, which is too large to hold in memory (${(error as Error).message})`);
  }
}

function checkItem(file: string, item: unknown, index: number): void {
  const where = `holds ${file}, whose item ${index} (counting from 0)`;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidTypeaheadData(`${where} is not a {"search_term": "...", "result": {...}} object`);
  if (typeof (item as Record<string, unknown>).search_term !== 'string') throw invalidTypeaheadData(`${where} has no "search_term" string`);
  if (!Object.hasOwn(item, 'result')) throw invalidTypeaheadData(`${where} has no "result"`);
}
