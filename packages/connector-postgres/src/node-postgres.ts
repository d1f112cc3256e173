import { createRequire } from 'node:module';
import type pg from 'pg';

const require = createRequire(import.meta.url);
let loaded: typeof pg | undefined;

/**
 * node-postgres, loaded on first use rather than at start: the proxy serves every other connector
 * without it, and importing it costs ~40 ms and ~4 MB of every start. It is a CommonJS package, so
 * `require` loads it synchronously and the pool registry's `get` stays synchronous.
 */
export function nodePostgres(): typeof pg {
  loaded ??= require('pg') as typeof pg;
  return loaded;
}
