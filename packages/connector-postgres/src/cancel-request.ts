import type { LookupFunction } from 'node:net';
import { policySocket } from './policy-socket.js';

/** The protocol's code for a cancel request, in place of a protocol version. */
const CANCEL_REQUEST_CODE = 80_877_102;

/** Where the server listens, and how its name resolves (the egress policy's lookup). */
export interface CancelTarget {
  host: string;
  port: number;
  lookup: LookupFunction;
}

/** The backend a connection talks to, as the server named it when the connection opened. */
export interface BackendKey {
  processID: number;
  secretKey: number;
}

/**
 * Asks the server to cancel what the backend `key` is running: PostgreSQL's cancel request, sent
 * on a connection of its own that the server closes once it has signalled the backend. A
 * statement ends this way even when it turned its `statement_timeout` off; closing the statement's
 * own connection would not end it, as the server notices a closed client only when it next writes.
 * Sent without TLS, as libpq does (the request holds no secret of the user's; the server takes it
 * before any authentication). Answers `true` once the server closed the connection, `false` when
 * it could not be reached within `timeoutMs` or the connection has no backend key.
 */
export function sendCancelRequest(target: CancelTarget, key: BackendKey, timeoutMs: number): Promise<boolean> {
  // A server (or a pooler in front of one) that sent no backend key cannot be asked.
  if (!isInt32(key.processID) || !isInt32(key.secretKey)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = policySocket(target.lookup);
    const finish = (sent: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(sent);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      packet.writeInt32BE(key.processID, 8);
      packet.writeInt32BE(key.secretKey, 12);
      socket.end(packet);
    });
    socket.once('error', () => finish(false));
    // The server reads the request, signals the backend, then closes: only then has it been taken.
    socket.once('close', (hadError) => finish(!hadError));
    socket.resume();
    socket.connect(target.port, target.host);
  });
}

function isInt32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -0x8000_0000 && (value as number) <= 0x7fff_ffff;
}
