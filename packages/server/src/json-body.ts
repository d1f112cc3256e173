import { checkJsonText, jsonNestsTooDeep, MAX_JSON_NESTING } from '@connector-proxy/sdk';
import type { FastifyInstance } from 'fastify';
import { invalidBody } from './errors.js';

/**
 * JSON media types: `application/json` and `application/<anything>+json`, with parameters such
 * as `charset` (matched against Fastify's normalized, lower-cased Content-Type).
 */
const JSON_MEDIA_TYPE = /^application\/(?:[^\s/;]+\+)?json(?:\s*;|$)/;

/** A call's body text to its JSON value, or throws the `invalid_body` error that says why it is unusable. */
export type JsonBodyParser = (text: string) => unknown;

/**
 * Reads request bodies sent with a JSON media type (the engine sends `application/json`). Any
 * other Content-Type, or none on a body, is refused before the body is read (415
 * `unsupported_media_type`, see error-handler.ts): a browser sends `text/plain`,
 * form and multipart bodies, and bodies without a type, to any origin without asking first (no
 * CORS preflight), so reading those as JSON let any web page run commands through a browser
 * that can reach the proxy. Returns the parser, for the lean path (lean-do-path.ts).
 */
export function installJsonBodyParser(app: FastifyInstance): JsonBodyParser {
  const parse = jsonBodyParser(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    let value: unknown;
    try {
      value = parse(body as string);
    } catch (error) {
      return done(error as Error, undefined);
    }
    done(null, value);
  });
  return parse;
}

/**
 * Each way a JSON body can be unusable is an `invalid_body` saying which. `__proto__` keys are
 * refused (prototype poisoning); `constructor` keys are plain data.
 */
function jsonBodyParser(app: FastifyInstance): JsonBodyParser {
  // Fastify's own secure parser; it calls back before it returns (it parses synchronously).
  const secureParse = app.getDefaultJsonParser('error', 'ignore');
  return (text) => {
    if (text.length === 0) throw invalidBody("is empty; send a JSON object of the command's parameters");
    let parsed: { error: Error | null; value: unknown } | undefined;
    // Fastify types the parser's request; the default JSON parser never reads it.
    secureParse(undefined as never, text, (error, value: unknown) => {
      parsed = { error, value };
    });
    if (parsed === undefined) throw new Error('the JSON parser did not answer synchronously');
    // The secure parser says only that it refused: JSON that parses plainly was refused for a __proto__ key.
    if (parsed.error !== null) {
      const parses = checkJsonText(text) !== 'invalid';
      throw invalidBody(parses ? 'has a "__proto__" key, which this proxy refuses' : 'is not valid JSON');
    }
    // Deeper JSON parses, but the first thing that walks it again (a connector encoding a
    // request body, the job store, the logger) would overflow: a caller's mistake, not a 500.
    if (jsonNestsTooDeep(parsed.value, text)) throw invalidBody(`nests objects and arrays more than ${MAX_JSON_NESTING} levels deep`);
    return parsed.value;
  };
}
