/** Ports on 127.0.0.1: finding free ones, waiting for one to accept connections. */
import { createConnection, createServer } from 'node:net';

/** A port free right now on 127.0.0.1 (the system's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once 127.0.0.1:`port` accepts a connection. `failure` is asked between tries: a
 * message there (the process died) stops the wait at once.
 */
export async function waitForPort(port: number, timeoutMs: number, failure: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accepts(port)) return;
    const problem = failure();
    if (problem !== undefined) throw new Error(problem);
    if (Date.now() > deadline) throw new Error(`nothing accepted connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
