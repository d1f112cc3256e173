/**
 * A small Slack Web API of our own for the tests: `POST /api/chat.postMessage` with the
 * documented request and reply shapes. Some channel names make it fail in a chosen way.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const VALID_TOKEN = 'xoxb-1111111111-2222222222222-AbCdEfGhIjKlMnOpQrStUvWx';
export const KNOWN_CHANNEL = 'C0GENERAL';

/** Channel names that make the server answer something other than success. */
export const Channels = {
  /** Slack's 429 with `Retry-After: 7`. */
  rateLimited: 'trigger-rate-limit',
  /** HTTP 500 with an HTML page. */
  serverError: 'trigger-500',
  /** HTTP 503 with Slack's JSON. */
  unavailable: 'trigger-503',
  /** HTTP 200 with HTML instead of JSON. */
  notJson: 'trigger-not-json',
  /** No answer for far longer than the proxy's timeout. */
  slow: 'trigger-slow',
  /** `not_in_channel`. */
  notMember: 'trigger-not-member',
  /** `is_archived`, a reason the connector has no code of its own for. */
  archived: 'trigger-archived',
  /** An error reply that (unlike Slack) repeats the caller's token. */
  echoToken: 'trigger-echo-token',
  /** A success reply padded to {@link BIG_REPLY_BYTES}, with its Content-Length. */
  bigReply: 'trigger-big-reply',
  /** A chunked reply that never ends (until the client hangs up). */
  endlessReply: 'trigger-endless-reply',
} as const;

export const BIG_REPLY_BYTES = 64 * 1024;

/** What one call to the server carried. */
export interface ReceivedCall {
  authorization: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

export interface SlackApiServer {
  /** Base of the Web API, e.g. `http://127.0.0.1:PORT/api`. */
  readonly url: string;
  /** Every well-formed call, in order. */
  readonly calls: ReceivedCall[];
  close(): Promise<void>;
}

const SLOW_REPLY_MS = 10_000;

export async function startSlackApiServer(): Promise<SlackApiServer> {
  const calls: ReceivedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  const server = createServer((request, response) => {
    readJson(request).then(
      (body) => {
        if (request.method !== 'POST' || request.url !== '/api/chat.postMessage') return reply(response, 404, { ok: false, error: 'unknown_method' });
        if (!request.headers['content-type']?.startsWith('application/json')) return reply(response, 200, { ok: false, error: 'invalid_form_data' });
        const authorization = request.headers.authorization;
        calls.push({ authorization, contentType: request.headers['content-type'], body });
        if (authorization === undefined || !authorization.startsWith('Bearer ')) return reply(response, 200, { ok: false, error: 'not_authed' });
        if (authorization !== `Bearer ${VALID_TOKEN}`) return reply(response, 200, { ok: false, error: 'invalid_auth' });
        answerChannel(response, body, ++sequence);
      },
      () => reply(response, 200, { ok: false, error: 'invalid_json' }),
    );
  });

  function answerChannel(response: ServerResponse, body: Record<string, unknown>, n: number): void {
    const channel = body.channel;
    switch (channel) {
      case KNOWN_CHANNEL: {
        const ts = `1700000000.${String(n).padStart(6, '0')}`;
        const message = { type: 'message', user: 'U0BOT', bot_id: 'B0BOT', text: body.text, ts, ...threadOf(body) };
        return reply(response, 200, { ok: true, channel, ts, message });
      }
      case Channels.rateLimited:
        return reply(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' });
      case Channels.serverError:
        response.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal Server Error</body></html>');
        return;
      case Channels.unavailable:
        return reply(response, 503, { ok: false, error: 'service_unavailable' });
      case Channels.notJson:
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to the captive portal</body></html>');
        return;
      case Channels.slow: {
        const timer = setTimeout(() => reply(response, 200, { ok: true, channel, ts: '1.0' }), SLOW_REPLY_MS);
        timers.add(timer);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      case Channels.notMember:
        return reply(response, 200, { ok: false, error: 'not_in_channel' });
      case Channels.archived:
        return reply(response, 200, { ok: false, error: 'is_archived' });
      case Channels.echoToken:
        return reply(response, 200, { ok: false, error: 'invalid_arguments', detail: `received ${VALID_TOKEN}` });
      case Channels.bigReply:
        return reply(response, 200, { ok: true, channel, ts: '1.0', padding: 'x'.repeat(BIG_REPLY_BYTES) });
      case Channels.endlessReply:
        return endlessReply(response);
      default:
        return reply(response, 200, { ok: false, error: 'channel_not_found' });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    calls,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// Bounded all the same, so a client that never hangs up cannot keep the test running.
const ENDLESS_CAP_BYTES = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(16 * 1024, ' ');

function endlessReply(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).write('{"ok":true,"padding":"');
  let written = 0;
  const pump = (): void => {
    while (!response.destroyed && written < ENDLESS_CAP_BYTES) {
      written += CHUNK.length;
      if (!response.write(CHUNK)) return void response.once('drain', pump);
    }
  };
  pump();
}

function threadOf(body: Record<string, unknown>): Record<string, unknown> {
  return typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {};
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}
