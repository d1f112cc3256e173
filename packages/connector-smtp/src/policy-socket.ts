/**
 * The sockets SMTP connections are made on. nodemailer would resolve the host with its own DNS
 * code and connect to whatever address came back; given these sockets it resolves nothing, and
 * the egress policy's lookup decides, so the address checked is the address connected to.
 */
import { connect } from 'node:net';
import type { SMTPPoolOptions } from 'nodemailer';
import { isCommandError, type EgressPolicy } from '@connector-proxy/sdk';

/**
 * nodemailer's `getSocket` option: called for each new pooled connection with the transport's
 * options; answers an error, or `{ connection }`, a connected socket to speak SMTP on.
 */
export type GetSocket = NonNullable<SMTPPoolOptions['getSocket']>;

/**
 * A `getSocket` that connects through `egress.lookup` within `timeoutMs`. A refusal arrives as
 * the policy's own `EgressDenied`; other failures in the shape nodemailer gives its own
 * (`ECONNECTION` with the socket's code as `originalCode`), so they are told apart as before.
 *
 * @example
 * nodemailer.createTransport({ pool: true, host, port, getSocket: policySocket(egress, 10_000) });
 */
export function policySocket(egress: EgressPolicy, timeoutMs: number): GetSocket {
  return ({ host, port }, callback) => {
    const socket = connect({ host, port: Number(port), lookup: egress.lookup });
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      socket.removeListener('error', settle);
      if (error === null) return callback(null, { connection: socket });
      socket.destroy();
      callback(isCommandError(error) ? error : connectionFailure(error));
    };
    const timer = setTimeout(() => settle(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => settle(null));
    socket.once('error', settle);
  };
}

function connectionFailure(error: Error & { code?: string }): Error {
  return Object.assign(new Error(error.message), { code: 'ECONNECTION', originalCode: error.code });
}
