import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExplorerAsset, ExplorerAssets } from '../explorer/explorer-assets.js';

/**
 * Only this origin's own files, and calls back to it: no inline script or style, nothing from
 * elsewhere (the page works on a closed network), never framed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What `/` answers a program (and any client that does not ask for HTML). */
const ROOT_POINTERS = {
  service: 'connector-proxy',
  commands: '/v1/commands',
  execute: 'POST /v1/do/{connector}/{command}',
  liveness: '/liveness',
  readiness: '/readyz',
  openapi: '/openapi.json',
  explorer: '/explorer',
};

/**
 * `/explorer` and its files, and `/`: JSON pointers for programs, a small page linking to the
 * explorer for browsers (a client whose Accept names text/html). None of these is behind the
 * API key: they are static, and the calls the page makes carry the key.
 */
export function explorerRoutes(app: FastifyInstance, assets: ExplorerAssets | undefined): void {
  app.get('/', async (request, reply) => {
    void reply.header('vary', 'Accept');
    if (assets !== undefined && prefersHtml(request)) return sendAsset(request, reply, assets.rootPage);
    return ROOT_POINTERS;
  });
  if (assets === undefined) return;
  app.get('/explorer', async (request, reply) => sendAsset(request, reply, assets.page));
  for (const [name, file] of assets.files) {
    app.get(`/explorer/${name}`, async (request, reply) => sendAsset(request, reply, file));
  }
}

function prefersHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: ExplorerAsset): FastifyReply {
  void reply.headers({
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
    etag: asset.etag,
  });
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}
