import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CallLog, CommandCalls } from './command-calls.js';
import { closeWhenAnswered, writeEnvelope } from './envelope-reply.js';
import { errorReply } from './envelope.js';
import { internalError } from './errors.js';
import type { JsonBodyParser } from './json-body.js';

/** What the lean path needs, all made once at start (app.ts). */
export interface LeanPathParts {
  calls: CommandCalls;
  parseBody: JsonBodyParser;
  nextRequestId: () => string;
  logger: Logger;
  maxBodyBytes: number;
  /** Whether a request carries the API key; undefined when none is configured. */
  carriesKey: ((headers: IncomingMessage['headers']) => boolean) | undefined;
  /** `CONNECTOR_PROXY_CORS_ORIGINS`; undefined: every origin. */
  corsOrigins: readonly string[] | undefined;
}

/** `/v1/do/{connector}/{command}`: the router's characters for ids, each part at most its 100. */
const DO_PATH = /^\/v1\/do\/([\w.-]{1,100})\/([\w.-]{1,100})$/;
/** The Content-Types taken here (what the engine sends); every other JSON type goes through Fastify. */
const JSON_TYPE = /^application\/json(?:\s*;\s*charset=utf-8)?$/i;

/**
 * The engine's usual call, `POST /v1/do/{connector}/{command}` with a JSON body, answered on
 * `node:http` without Fastify's request and reply objects, routing, hooks and body-parser
 * machinery, which cost about as much per small call as the command itself. It takes a request
 * only when none of those would do anything but pass it on, and answers it with the same
 * {@link CommandCalls}, body parser and envelope writer as the route:
 *
 * - POST to a path of plain id characters (no query, no percent-encoding, no trailing slash);
 * - no `Origin` header: CORS is for browsers, and a browser sends Origin with every POST. The
 *   header CORS puts on every answer (`Access-Control-Allow-Origin: *`, or `Vary: Origin` with
 *   listed origins) is written here as @fastify/cors writes it for a request without Origin;
 * - `Content-Type: application/json` (optionally `; charset=utf-8`), a `Content-Length` from 1
 *   to the body limit, and no `Transfer-Encoding` or `Content-Encoding`: the limits Fastify
 *   checks are checked before the body is read (413, 415 and empty bodies are Fastify's to answer);
 * - the API key, when one is configured (without it, Fastify answers 401);
 * - the server not closing (Fastify answers 503 then).
 *
 * Everything else (browsers, other paths, a missing key, bad framing) goes to Fastify, which
 * answers as it always did. Connection limits and the header, request, keep-alive and idle
 * timeouts belong to the server, the same for both. Request ids come from the generator
 * Fastify is given, and a call's log lines go to a child logger with its `reqId`, made only
 * when a line is written at an enabled level.
 */
export function takeLeanCalls(app: FastifyInstance, parts: LeanPathParts): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  const corsHeaders: OutgoingHttpHeaders = parts.corsOrigins === undefined ? { 'access-control-allow-origin': '*' } : { vary: 'Origin' };
  const takes = (request: IncomingMessage): RegExpExecArray | undefined => {
    if (closing || request.method !== 'POST' || request.headers.origin !== undefined) return undefined;
    const { headers } = request;
    const length = Number(headers['content-length']);
    if (!(length >= 1 && length <= parts.maxBodyBytes) || headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return undefined;
    if (!JSON_TYPE.test(headers['content-type'] ?? '')) return undefined;
    if (parts.carriesKey !== undefined && !parts.carriesKey(headers)) return undefined;
    return DO_PATH.exec(request.url ?? '') ?? undefined;
  };
  // Not an async function: one would keep the body's text and its parsed value alive until the
  // answer is written (see CommandCalls.answer); a promise's callback keeps only what it names.
  const answer = (response: ServerResponse, id: string, text: string): Promise<void> => {
    const requestId = parts.nextRequestId();
    let body: unknown;
    try {
      body = parts.parseBody(text);
    } catch (error) {
      // As Fastify's error handler answers a body its parser refused: no call was made.
      const refusal = errorReply(error, [], () => internalError(requestId));
      return Promise.resolve(writeEnvelope(response, refusal.status, { ...corsHeaders, ...refusal.headers }, refusal.envelope));
    }
    return parts.calls.answer(id, body, requestId, new RequestLog(parts.logger, requestId)).then((call) => {
      writeEnvelope(response, call.status, { ...corsHeaders, ...call.headers }, call.envelope);
      closeWhenAnswered(response, call.budget);
    });
  };

  const server = app.server;
  const [viaFastify] = server.listeners('request') as RequestListener[];
  if (viaFastify === undefined) throw new Error('Fastify has no request listener on its server');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = takes(request);
    if (path === undefined) return viaFastify(request, response);
    const id = `${path[1]}/${path[2]}`;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone half-way through its body gets no answer; nothing ran.
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString();
      answer(response, id, text).catch((error: unknown) => answerBug(response, error, parts.logger));
    });
  });
}

/** What Fastify's error handler does with a throw it did not foresee (an envelope that cannot be serialized): a logged 500. */
function answerBug(response: ServerResponse, error: unknown, logger: Logger): void {
  logger.error({ err: error }, 'request failed unexpectedly');
  if (response.headersSent) return void response.destroy();
  const bug = errorReply(error, [], () => internalError('(lean path)'));
  writeEnvelope(response, bug.status, bug.headers, bug.envelope);
}

/**
 * A request's logger for a call, as Fastify's `request.log` is (a child with the `reqId`), made
 * on the first line written at an enabled level: at the usual levels most calls write none.
 */
class RequestLog implements CallLog {
  private child: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly requestId: string,
  ) {}

  isLevelEnabled(level: 'info' | 'warn'): boolean {
    return this.root.isLevelEnabled(level);
  }

  debug(fields: Record<string, unknown>, message: string): void {
    if (this.root.isLevelEnabled('debug')) this.log().debug(fields, message);
  }

  info(fields: Record<string, unknown>, message: string): void {
    if (this.root.isLevelEnabled('info')) this.log().info(fields, message);
  }

  warn(fields: Record<string, unknown>, message: string): void {
    if (this.root.isLevelEnabled('warn')) this.log().warn(fields, message);
  }

  error(fields: Record<string, unknown>, message: string): void {
    if (this.root.isLevelEnabled('error')) this.log().error(fields, message);
  }

  private log(): Logger {
    this.child ??= this.root.child({ reqId: this.requestId });
    return this.child;
  }
}
