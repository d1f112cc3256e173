/** A file carried in a data URL of the form `data:<mime>;name=<file>;base64,<data>`. */
export interface DataUrlFile {
  /** The media type with its parameters other than `name`, e.g. `text/plain;charset=utf-8`. */
  mediaType: string;
  /** The `name=` parameter, percent-decoded; absent when the data URL carries none. */
  fileName: string | undefined;
  bytes: Buffer;
}

/** What {@link parseDataUrl} answers: the file, or why the text is not a usable data URL. */
export type DataUrlParse = { ok: true; file: DataUrlFile } | { ok: false; problem: string };

const EXPECTED_SHAPE = 'data:<mime>;name=<file>;base64,<data>';
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;
const PARAMETER = /^([\w.+-]+)=(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// A file whose type was left out is best handled as opaque bytes.
const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

/**
 * Parses a base64 data URL, as SpiffArena's file widget makes them (`name=` is its addition).
 * Only base64 data URLs are files: a percent-encoded one would be text.
 *
 * @example
 * const parsed = parseDataUrl('data:text/plain;name=hello.txt;base64,aGk=');
 * if (!parsed.ok) throw invalidParameters([{ parameter: 'file_data', message: parsed.problem }]);
 * parsed.file // { mediaType: 'text/plain', fileName: 'hello.txt', bytes: <Buffer 68 69> }
 */
export function parseDataUrl(text: string): DataUrlParse {
  if (!/^data:/i.test(text)) return failure(`does not start with "data:" (expected ${EXPECTED_SHAPE})`);
  const comma = text.indexOf(',');
  if (comma < 0) return failure(`has no "," before its data (expected ${EXPECTED_SHAPE})`);
  const [mediaType = '', ...parameters] = text.slice('data:'.length, comma).split(';');
  if (parameters.pop()?.toLowerCase() !== 'base64') return failure(`is not base64-encoded (expected ${EXPECTED_SHAPE})`);
  if (mediaType !== '' && !MEDIA_TYPE.test(mediaType)) return failure(`has an invalid media type "${mediaType}"`);

  let fileName: string | undefined;
  const kept: string[] = [];
  for (const entry of parameters) {
    const match = PARAMETER.exec(entry);
    if (match === null) return failure(`has a parameter "${entry}" that is not name=value`);
    const [, name = '', value = ''] = match;
    if (name.toLowerCase() === 'name') fileName = value.trim() === '' ? undefined : percentDecoded(value.trim());
    else kept.push(entry);
  }

  const data = text.slice(comma + 1).replace(/\s+/g, '');
  if (!BASE64.test(data) || data.length % 4 === 1) return failure('has data that is not valid base64');
  const file = { mediaType: [mediaType === '' ? DEFAULT_MEDIA_TYPE : mediaType, ...kept].join(';'), fileName, bytes: Buffer.from(data, 'base64') };
  return { ok: true, file };
}

function failure(problem: string): DataUrlParse {
  return { ok: false, problem };
}

function percentDecoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    // A stray "%" that is not an escape: the name was written by hand, unencoded; keep it as written.
    if (error instanceof URIError) return raw;
    throw error;
  }
}
