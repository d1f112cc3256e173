import type { FastifyCorsOptions } from '@fastify/cors';
import { API_KEY_HEADER } from './api-key.js';
import type { ProxyConfig } from './config.js';

/** Every origin when none are configured (as the reference does); else only the listed ones are echoed. */
export function corsOptions(config: ProxyConfig): FastifyCorsOptions {
  return {
    origin: config.corsOrigins === undefined ? '*' : [...config.corsOrigins],
    methods: ['GET', 'POST', 'PUT', 'OPTIONS'],
    allowedHeaders: ['Content-Type', API_KEY_HEADER],
    maxAge: 600,
  };
}
