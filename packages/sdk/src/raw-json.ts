const RAW_JSON = Symbol.for('connector-proxy.raw-json');

/** JSON text, or its UTF-8 bytes: in one array, or in the chunks a body arrived in, in order. */
export type JsonContent = string | Uint8Array | readonly Uint8Array[];

/** JSON a command has already checked, as text or UTF-8 bytes, to be placed into the envelope as it is. */
export interface RawJson {
  readonly [RAW_JSON]: JsonContent;
  /** For `JSON.stringify` outside the proxy's own serializer: the value the JSON stands for. */
  toJSON(): unknown;
}

/**
 * Wraps JSON that is known to be valid (say, a third party's answer that {@link checkJsonBytes}
 * accepted) so the proxy splices it into the envelope instead of serializing a parsed copy
 * again: for a large answer, the difference is most of the call's cost. Bytes must be UTF-8
 * ({@link checkJsonBytes} checks that too); they then go out without ever being decoded, and
 * chunks without ever being joined.
 *
 * @example
 * if (checkJsonBytes(chunks) === 'valid') return { body: rawJson(chunks), httpStatus: 200 };
 */
export function rawJson(json: JsonContent): RawJson {
  return { [RAW_JSON]: json, toJSON: () => JSON.parse(typeof json === 'string' ? json : textOf(json)) as unknown };
}

function textOf(bytes: Uint8Array | readonly Uint8Array[]): string {
  return bytes instanceof Uint8Array ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString() : Buffer.concat(bytes).toString();
}

/** The text or bytes of a {@link rawJson} value, or `undefined` for any other value. */
export function rawJsonContent(value: unknown): JsonContent | undefined {
  return typeof value === 'object' && value !== null ? (value as Partial<RawJson>)[RAW_JSON] : undefined;
}
