/**
 * How deep objects and arrays may nest in JSON the proxy takes in (a request body, a third
 * party's answer): far beyond any workflow's data, far within what re-serializing the value
 * survives. Deeper JSON parses, but the first thing that walks it again overflows the stack.
 */
export const MAX_JSON_NESTING = 512;

/**
 * True when objects and arrays nest more than `limit` levels deep in `value`. Walks without
 * recursion (the point is to survive any depth), and only when `text`, the JSON it was parsed
 * from, is long enough to nest that deep: most values skip the walk.
 *
 * @example
 * const value = JSON.parse(text);
 * if (jsonNestsTooDeep(value, text)) throw invalidResponse('nests too deep');
 */
export function jsonNestsTooDeep(value: unknown, text: string, limit = MAX_JSON_NESTING): boolean {
  if (text.length <= limit) return false;
  const pending: object[] = isContainer(value) ? [value] : [];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const container = pending.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    for (const key in container) {
      const child = container[key];
      if (isContainer(child)) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
