import { Socket, type LookupFunction } from 'node:net';

/**
 * A socket for node-postgres, which opens it with `connect(port, host)` and so would resolve the
 * host with the system's lookup: this one resolves it with the egress policy's, so the address
 * checked is the one connected to.
 */
export function policySocket(lookup: LookupFunction): Socket {
  const socket = new Socket();
  const connect = socket.connect.bind(socket);
  socket.connect = ((port: number, host: string) => connect({ port, host, lookup })) as Socket['connect'];
  return socket;
}
