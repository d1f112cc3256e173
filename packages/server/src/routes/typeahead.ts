import type { FastifyInstance } from 'fastify';
import { sendJsonParts } from '../envelope-reply.js';
import { sendError } from '../error-handler.js';
import { invalidTypeaheadQuery, typeaheadCategoryNotFound } from '../errors.js';
import type { TypeaheadCatalog } from '../typeahead/typeahead-loader.js';
import { parseLimit, type LimitBounds } from './limit-query.js';

/** The default is what SpiffArena's form widget asks for. */
const LIMIT_BOUNDS: LimitBounds = { defaultLimit: 100, maxLimit: 1000 };

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
    const limit = parseLimit(request.query.limit, LIMIT_BOUNDS);
    if (typeof limit !== 'number') {
      return sendError(reply, invalidTypeaheadQuery(limit.parameter, `${limit.message} (got ${JSON.stringify(request.query.limit)})`), request.id);
    }
    return sendJsonParts(reply, 200, index.lookup(prefix, limit));
  });
}
