/** Real HTTP servers on loopback that play the third party, recording what reached them. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query as received on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Every request that reached the server, in order. */
  readonly seen: SeenRequest[];
  /** TCP connections accepted so far (a refused call must open none). */
  connectionCount(): number;
  close(): Promise<void>;
}

export type UpstreamHandler = (request: SeenRequest, response: ServerResponse, index: number) => void;

/**
 * An HTTP server that reads each request's whole body, records it, then lets `handle` answer.
 * It listens on 127.0.0.1, or on `host` (`::1` for an IPv6 one).
 */
export async function startUpstream(handle: UpstreamHandler, host = '127.0.0.1'): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      handle(request, res, seen.length - 1);
    });
  });
  const port = await listen(server, host);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    seen,
    connectionCount: counter(server),
    close: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

/** A TCP server that answers each connection with `reply` (e.g. bytes that are not HTTP). */
export async function startRawServer(reply: (socket: Socket) => void): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket)); // the client hanging up is expected here
    reply(socket);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen: [],
    connectionCount: counter(server),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

/** A port nothing listens on: bound once, then released. */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** JSON answer helper. */
export function answerJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(value));
}

function counter(server: Server): () => number {
  let connections = 0;
  server.on('connection', () => (connections += 1));
  return () => connections;
}

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
