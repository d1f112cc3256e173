import { invalidParameters } from '@connector-proxy/sdk';

/**
 * The item to store, from the `item_data` parameter: a JSON object, or (as older workflows send
 * it) a string holding one.
 *
 * Numbers are checked here because JSON parsing already rounded integers beyond ±2^53 (and made
 * 1e400 Infinity): storing them would silently keep a different number than the workflow meant.
 *
 * @example
 * itemFromParameter('{"id": "a", "n": 1.5}') // { id: 'a', n: 1.5 }
 */
export function itemFromParameter(itemData: unknown): Record<string, unknown> {
  const item = typeof itemData === 'string' ? parseJsonObject(itemData) : itemData;
  if (!isPlainObject(item)) {
    throw invalidParameters([{ parameter: 'item_data', message: 'must be a JSON object (attribute names to values)' }]);
  }
  const problem = unstorable(item);
  if (problem !== undefined) throw invalidParameters([{ parameter: 'item_data', message: problem }]);
  return item;
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // reported as "must be a JSON object"
    throw error;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** DynamoDB keeps maps and lists nested at most 32 levels deep. */
const MAX_NESTING = 32;

/**
 * What DynamoDB cannot store as given, said for the workflow author, or undefined: the first
 * number that cannot be kept exactly, or nesting beyond DynamoDB's limit. Walks without
 * recursion: `item_data` given as a string was never checked for depth by the proxy.
 */
function unstorable(item: Record<string, unknown>): string | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: item, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop() as (typeof pending)[number];
    if (typeof value === 'number' && !isExact(value)) return `has a number too large to keep exactly (beyond ±2^53) at "${path}"; send it as a string`;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_NESTING) return `nests maps and lists more than ${MAX_NESTING} levels deep at "${path}" (DynamoDB's limit)`;
    // Pushed last to first, so the first problem in document order is found first.
    const fields = Object.entries(value).reverse();
    for (const [name, field] of fields) pending.push({ value: field, path: fieldPath(path, name, Array.isArray(value)), depth: depth + 1 });
  }
  return undefined;
}

/** JSON parsing already rounded integers beyond ±2^53 and made 1e400 Infinity. */
function isExact(value: number): boolean {
  return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
}

function fieldPath(path: string, name: string, inList: boolean): string {
  if (inList) return `${path}[${name}]`;
  return path === '' ? name : `${path}.${name}`;
}
