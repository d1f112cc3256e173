import { checkJsonText, jsonNestsTooDeep, MAX_JSON_NESTING } from '@connector-proxy/sdk';
import type { FastifyInstance } from 'fastify';
import { invalidBody } from './errors.js';

/**
 * JSON media types: `application/json` and `application/<anything>+json`, with parameters such
 * as `charset` (matched against Fastify's normalized, lower-cased Content-Type).
 */
const JSON_MEDIA_TYPE = /^application\/(?:[^\s/;]+\+)?json(?:\s*;|$)/;

/**
 * Reads request bodies sent with a JSON media type (the engine sends `application/json`). Any
 * other Content-Type, or none on a body, is refused before the body is read (415
 * `unsupported_media_type`, see error-handler.ts): a browser sends `text/plain`,
 * form and multipart bodies, and bodies without a type, to any origin without asking first (no
 * CORS preflight), so reading those as JSON let any web page run commands through a browser
 * that can reach the proxy. Each way a JSON body can be unusable is an `invalid_body` saying
 * which. `__proto__` keys are refused (prototype poisoning); `constructor` keys are plain data.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'ignore');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(invalidBody("is empty; send a JSON object of the command's parameters"), undefined);
    secureParse(request, text, (error, value: unknown) => {
      // The secure parser says only that it refused: JSON that parses plainly was refused for a __proto__ key.
      if (error !== null) {
        const parses = checkJsonText(text) !== 'invalid';
        return done(invalidBody(parses ? 'has a "__proto__" key, which this proxy refuses' : 'is not valid JSON'), undefined);
      }
      // Deeper JSON parses, but the first thing that walks it again (a connector encoding a
      // request body, the job store, the logger) would overflow: a caller's mistake, not a 500.
      if (jsonNestsTooDeep(value, text)) {
        return done(invalidBody(`nests objects and arrays more than ${MAX_JSON_NESTING} levels deep`), undefined);
      }
      done(null, value);
    });
  });
}
