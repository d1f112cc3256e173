import type { CommandError } from '@connector-proxy/sdk';
import type { FastifyInstance } from 'fastify';
import { sendJsonParts } from '../envelope-reply.js';
import { sendError } from '../error-handler.js';
import { invalidTypeaheadQuery, typeaheadCategoryNotFound } from '../errors.js';
import type { TypeaheadCatalog } from '../typeahead/typeahead-loader.js';

/** What SpiffArena's form widget asks for. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

interface TypeaheadRequest {
  Params: { category: string };
  Querystring: Record<string, string | string[] | undefined>;
}

/**
 * `GET /v1/typeahead/{category}?prefix=&limit=`: the results of the category's items whose
 * search term starts with the prefix (case-insensitively), in search-term order. Open without
 * the API key (api-key.ts): SpiffArena's backend sends none here. The category is only ever a
 * key of the catalog loaded at start, never a path.
 */
export function typeaheadRoute(app: FastifyInstance, catalog: TypeaheadCatalog): void {
  app.get<TypeaheadRequest>('/v1/typeahead/:category', (request, reply) => {
    const index = catalog.get(request.params.category);
    if (index === undefined) return sendError(reply, typeaheadCategoryNotFound(request.params.category), request.id);
    const prefix = request.query.prefix ?? '';
    if (typeof prefix !== 'string') return sendError(reply, invalidTypeaheadQuery('prefix', 'is given more than once'), request.id);
    const limit = parseLimit(request.query.limit);
    if (typeof limit !== 'number') return sendError(reply, limit, request.id);
    return sendJsonParts(reply, 200, index.lookup(prefix, limit));
  });
}

/** The limit asked for, or the error that answers a bad one. */
function parseLimit(raw: string | string[] | undefined): number | CommandError {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = typeof raw === 'string' && /^\d{1,7}$/.test(raw) ? Number(raw) : 0;
  if (limit < 1 || limit > MAX_LIMIT) return invalidTypeaheadQuery('limit', `must be a whole number from 1 to ${MAX_LIMIT} (got ${JSON.stringify(raw)})`);
  return limit;
}
