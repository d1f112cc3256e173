const RAW_JSON = Symbol.for('connector-proxy.raw-json');

/** JSON text a command has already checked, to be placed into the envelope as it is. */
export interface RawJson {
  readonly [RAW_JSON]: string;
  /** For `JSON.stringify` outside the proxy's own serializer: the value the text stands for. */
  toJSON(): unknown;
}

/**
 * Wraps JSON text that is known to be valid (say, a third party's answer that `JSON.parse`
 * accepted) so the proxy splices it into the envelope instead of serializing a parsed copy
 * again: for a large answer, the difference is most of the call's cost.
 *
 * @example
 * JSON.parse(text); // throws when the text is not JSON
 * return { body: rawJson(text), httpStatus: 200 };
 */
export function rawJson(text: string): RawJson {
  return { [RAW_JSON]: text, toJSON: () => JSON.parse(text) as unknown };
}

/** The text of a {@link rawJson} value, or `undefined` for any other value. */
export function rawJsonText(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? ((value as Partial<RawJson>)[RAW_JSON] as string | undefined) : undefined;
}
