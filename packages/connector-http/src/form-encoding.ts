/**
 * `application/x-www-form-urlencoded` encoding of a parameter object, shared by `params` (the
 * query string) and `body_format: form` (the body), so both treat values the same way.
 */

/** A plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One query/form value as text: objects as JSON (a workflow's data is JSON), scalars via String(). */
function formValue(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * `name=value` pairs joined by `&`. Arrays repeat their key; `null` and `undefined` are skipped
 * (a workflow variable that is not set adds nothing).
 *
 * @example
 * formEncode({ q: 'a b', tag: ['x', 'y'], page: 2, skip: null }) // 'q=a+b&tag=x&tag=y&page=2'
 */
export function formEncode(fields: Record<string, unknown>): string {
  const pairs = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) pairs.append(name, formValue(item));
    }
  }
  return pairs.toString();
}
