/** The third party's headers for `command_response.headers`. */

type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * Lower-case names (as undici gives them); `set-cookie` always an array because cookies cannot
 * be joined safely; any other repeated header joined with `, ` as HTTP allows.
 */
export function responseHeaders(headers: RawHeaders): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lowerName = name.toLowerCase();
    if (lowerName === 'set-cookie') result[lowerName] = Array.isArray(value) ? value : [value];
    else result[lowerName] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
