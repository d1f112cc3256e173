/**
 * The upstream when nginx is not installed: a Node HTTP server in the bench's own process,
 * serving the same documents from memory and echoing `POST /echo`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Documents } from './documents.js';

export interface RunningUpstream {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startNodeUpstream(documents: Documents, port: number): Promise<RunningUpstream> {
  const routes = new Map<string, { type: string; body: Buffer }>([
    ['/small.json', { type: 'application/json', body: Buffer.from(documents.small) }],
    ['/large.json', { type: 'application/json', body: Buffer.from(documents.large) }],
    ['/text.txt', { type: 'text/plain', body: Buffer.from(documents.text) }],
  ]);
  const server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/echo') return echo(request, response);
    const route = request.method === 'GET' ? routes.get(request.url ?? '') : undefined;
    if (route === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': route.type, 'content-length': route.body.length }).end(route.body);
  });
  // The proxy keeps its upstream connections for up to 4 s idle: outlive that, as nginx does.
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function echo(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
}
