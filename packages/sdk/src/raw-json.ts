const RAW_JSON = Symbol.for('connector-proxy.raw-json');

/** JSON a command has already checked, as text or UTF-8 bytes, to be placed into the envelope as it is. */
export interface RawJson {
  readonly [RAW_JSON]: string | Uint8Array;
  /** For `JSON.stringify` outside the proxy's own serializer: the value the JSON stands for. */
  toJSON(): unknown;
}

/**
 * Wraps JSON that is known to be valid (say, a third party's answer that {@link checkJsonBytes}
 * accepted) so the proxy splices it into the envelope instead of serializing a parsed copy
 * again: for a large answer, the difference is most of the call's cost. Bytes must be UTF-8
 * (`isUtf8` from `node:buffer` tells); they then go out without ever being decoded.
 *
 * @example
 * if (isUtf8(bytes) && checkJsonBytes(bytes) === 'valid') return { body: rawJson(bytes), httpStatus: 200 };
 */
export function rawJson(json: string | Uint8Array): RawJson {
  return { [RAW_JSON]: json, toJSON: () => JSON.parse(typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString()) as unknown };
}

/** The text or bytes of a {@link rawJson} value, or `undefined` for any other value. */
export function rawJsonContent(value: unknown): string | Uint8Array | undefined {
  return typeof value === 'object' && value !== null ? (value as Partial<RawJson>)[RAW_JSON] : undefined;
}
