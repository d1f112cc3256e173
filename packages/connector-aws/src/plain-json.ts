/**
 * Makes what the DynamoDB document client returns safe for JSON, so items come out as plain
 * JSON: sets become arrays, binary becomes base64 text, and integers beyond ±2^53 (which the
 * SDK returns as `bigint`) become strings so that no digit is lost.
 *
 * @example
 * toPlainJson({ tags: new Set(['a', 'b']), big: 12345678901234567890n })
 * // { tags: ['a', 'b'], big: '12345678901234567890' }
 */
export function toPlainJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Set || Array.isArray(value)) return Array.from(value, toPlainJson);
  const plain: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) plain[name] = toPlainJson(field);
  return plain;
}
