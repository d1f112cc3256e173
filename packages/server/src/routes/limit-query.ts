import type { ParameterProblem } from '@connector-proxy/sdk';

/** A route's `limit`: what it is when the query has none, and the most it may be. */
export interface LimitBounds {
  defaultLimit: number;
  maxLimit: number;
}

/**
 * The `limit` query parameter as a number, or the problem with it: a whole number from 1 to
 * `maxLimit`, written in digits only (not `1e2`, ` 5`, `0x10`) and given once. Each route answers
 * the problem in its own error (`GET /v1/jobs` an `invalid_parameters`, the typeahead its own code).
 */
export function parseLimit(raw: string | string[] | undefined, { defaultLimit, maxLimit }: LimitBounds): number | ParameterProblem {
  if (raw === undefined) return defaultLimit;
  // Seven digits at most: a longer run of digits is over any maximum, and would lose precision as a number.
  const limit = typeof raw === 'string' && /^\d{1,7}$/.test(raw) ? Number(raw) : 0;
  if (limit < 1 || limit > maxLimit) return { parameter: 'limit', message: `must be a whole number from 1 to ${maxLimit}` };
  return limit;
}
