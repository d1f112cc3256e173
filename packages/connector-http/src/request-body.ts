/** The request body for each `body_format`, and the content type that goes with it. */
import { invalidParameter } from './errors.js';
import { formEncode, isPlainObject } from './form-encoding.js';

const BODY_FORMATS = ['json', 'form', 'raw', 'none'] as const;
export type BodyFormat = (typeof BODY_FORMATS)[number];

export interface RequestBody {
  /** Absent: the request has no body. */
  payload: string | undefined;
  /** Sent as Content-Type unless the caller's headers name one. */
  contentType: string | undefined;
}

const NO_BODY: RequestBody = { payload: undefined, contentType: undefined };

/**
 * @example
 * buildRequestBody('form', { a: 1, b: ['x', 'y'] }) // { payload: 'a=1&b=x&b=y', contentType: 'application/x-www-form-urlencoded' }
 * buildRequestBody(undefined, { a: 1 })           // { payload: '{"a":1}', contentType: 'application/json' }
 */
export function buildRequestBody(bodyFormat: string | undefined, data: unknown): RequestBody {
  const format = bodyFormat ?? 'json';
  if (!isBodyFormat(format)) throw invalidParameter('body_format', `must be one of ${BODY_FORMATS.join(', ')}`);
  if (format === 'none' || data === undefined) return NO_BODY;
  switch (format) {
    case 'json':
      return { payload: JSON.stringify(data), contentType: 'application/json' };
    case 'form':
      if (!isPlainObject(data)) throw invalidParameter('data', 'must be an object when body_format is form');
      return { payload: formEncode(data), contentType: 'application/x-www-form-urlencoded' };
    case 'raw':
      return { payload: typeof data === 'string' ? data : JSON.stringify(data), contentType: undefined };
  }
}

function isBodyFormat(value: string): value is BodyFormat {
  return (BODY_FORMATS as readonly string[]).includes(value);
}
