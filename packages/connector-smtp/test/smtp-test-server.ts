import net, { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError, type SMTPServerOptions } from 'smtp-server';

/** One message as the test server received it. */
export interface ReceivedMessage {
  from: string | undefined;
  recipients: string[];
  user: unknown;
  raw: string;
}

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'pa55-Wh0le-S3cret';

/** Recipients whose local part makes the test server refuse them. */
export const REFUSED_LOCAL_PART = 'nobody';
export const GREYLISTED_LOCAL_PART = 'later';
/** A sender the server only takes after a login (530 otherwise). */
export const LOGIN_REQUIRED_SENDER = 'members@example.org';
/** Subjects the server refuses at the end of DATA. */
export const PERMANENTLY_REJECTED_SUBJECT = 'REJECT-PERMANENT';
export const TRANSIENTLY_REJECTED_SUBJECT = 'REJECT-TRANSIENT';

/** A real SMTP server on 127.0.0.1 at a free port, recording what arrives. */
export interface TestSmtpServer {
  readonly port: number;
  readonly messages: ReceivedMessage[];
  /** SMTP connections opened so far. */
  readonly connections: number;
  /** SMTP connections the client has closed so far. */
  readonly closedConnections: number;
  close(): Promise<void>;
}

function smtpFailure(message: string, responseCode: number): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * Starts a plain-text SMTP server (STARTTLS disabled unless `options` turn it on) that takes a
 * login for {@link SMTP_USER}/{@link SMTP_PASSWORD} and refuses some recipients and messages.
 */
export async function startTestSmtpServer(options: SMTPServerOptions = { disabledCommands: ['STARTTLS'] }): Promise<TestSmtpServer> {
  const messages: ReceivedMessage[] = [];
  let connections = 0;
  let closedConnections = 0;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    ...options,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onClose() {
      closedConnections += 1;
    },
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      callback(smtpFailure('Invalid username or password', 535));
    },
    onMailFrom(address, session, callback) {
      if (address.address === LOGIN_REQUIRED_SENDER && !session.user) return callback(smtpFailure('Authentication required', 530));
      callback();
    },
    onRcptTo(address, _session, callback) {
      const localPart = address.address.split('@')[0];
      if (localPart === REFUSED_LOCAL_PART) return callback(smtpFailure(`No such user ${address.address}`, 550));
      if (localPart === GREYLISTED_LOCAL_PART) return callback(smtpFailure('Greylisted, try again later', 451));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (raw.includes(PERMANENTLY_REJECTED_SUBJECT)) return callback(smtpFailure('Message refused by content filter', 554));
        if (raw.includes(TRANSIENTLY_REJECTED_SUBJECT)) return callback(smtpFailure('Mailbox temporarily full', 452));
        const { mailFrom, rcptTo } = session.envelope;
        messages.push({
          from: mailFrom ? mailFrom.address : undefined,
          recipients: rcptTo.map((r) => r.address),
          user: session.user,
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    get connections() {
      return connections;
    },
    get closedConnections() {
      return closedConnections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP server that accepts connections and never says a word: an SMTP server that hangs. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
