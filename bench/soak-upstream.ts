/**
 * The soak's third party on 127.0.0.1: one path per way a real one behaves, good and bad.
 * Every fault ends by itself (the proxy's timeout or size limit cuts it), so nothing piles up.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SoakUpstream {
  readonly url: string;
  close(): Promise<void>;
}

const SMALL = JSON.stringify({ id: 7, name: 'soak', tags: ['a', 'b', 'c'], nested: { ok: true, n: 1.5 } });

/** Paths and what they do; the soak's mix names them. */
const BEHAVIOURS: Record<string, (response: ServerResponse) => void> = {
  '/ok': (response) => response.writeHead(200, { 'content-type': 'application/json' }).end(SMALL),
  '/slow': (response) => setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(SMALL), 150),
  '/not-found': (response) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such thing"}'),
  '/server-error': (response) => response.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
  '/bad-json': (response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"id": 7,'),
  '/reset': (response) => response.socket?.destroy(),
  '/reset-mid-body': (response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    response.write('{"partial":', () => response.socket?.destroy());
  },
  '/stall': () => undefined, // never answers: the proxy's timeout ends it
  '/endless': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const pump = (): void => {
      while (!response.destroyed && response.write(chunk));
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  },
};

export const SOAK_PATHS = Object.keys(BEHAVIOURS);

export async function startSoakUpstream(): Promise<SoakUpstream> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => (BEHAVIOURS[request.url ?? ''] ?? BEHAVIOURS['/not-found'])?.(response));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
