import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Envelope } from '@connector-proxy/sdk';
import { serializeEnvelope } from './envelope.js';
import type { CallResponseBudget } from './response-budget.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/**
 * Parts smaller in all are joined and sent as one buffer: writing parts one by one costs a few
 * microseconds more per call (a small call's throughput fell ~8 % measured side by side),
 * copying a few kilobytes costs less.
 */
const JOIN_BELOW_BYTES = 16 * 1024;

/**
 * Answers `status` with the envelope as JSON (see serializeEnvelope) and the headers set on
 * `reply` so far: text through Fastify as usual, parts (an envelope around a body that stayed
 * bytes) as {@link sendJsonParts} writes them.
 */
export function sendEnvelope(reply: FastifyReply, status: number, envelope: Envelope): FastifyReply {
  const json = serializeEnvelope(envelope);
  if (typeof json === 'string') return reply.code(status).type(JSON_TYPE).send(json);
  return sendJsonParts(reply, status, json);
}

/**
 * Answers `status` with the JSON that `parts`, one after the other, make, and the headers set on
 * `reply` so far. Small parts are joined and go through Fastify as usual. Large parts are
 * written one after the other, in one system call: Fastify's reply takes one payload, and
 * joining them would copy the body once more (and keep a second copy in memory until the next
 * garbage collection), so the reply is taken over (`hijack`: the onResponse hooks and the
 * request log still run, onSend hooks do not; the proxy has none) and its headers, CORS's among
 * them, are written as Fastify would write them.
 */
export function sendJsonParts(reply: FastifyReply, status: number, parts: readonly Uint8Array[]): FastifyReply {
  let length = 0;
  for (const part of parts) length += part.length;
  if (length < JOIN_BELOW_BYTES) return reply.code(status).type(JSON_TYPE).send(Buffer.concat(parts, length));
  reply.hijack();
  // Fastify types its header values as possibly undefined; `reply.header` never stores one.
  writeParts(reply.raw, status, reply.getHeaders() as OutgoingHttpHeaders, parts, length);
  return reply;
}

/**
 * Answers `status` with the envelope as JSON on a bare `node:http` response (the lean path's),
 * with `headers` besides its type and length: as {@link sendEnvelope} does through Fastify.
 */
export function writeEnvelope(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, envelope: Envelope): void {
  const json = serializeEnvelope(envelope);
  if (typeof json === 'string') {
    response.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
    response.end(json);
    return;
  }
  let length = 0;
  for (const part of json) length += part.length;
  if (length >= JOIN_BELOW_BYTES) return writeParts(response, status, headers, json, length);
  response.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': length });
  response.end(Buffer.concat(json, length));
}

function writeParts(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, parts: readonly Uint8Array[], length: number): void {
  response.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': length });
  // Corked, the parts leave in one write; `end` uncorks.
  response.cork();
  for (const part of parts) response.write(part);
  response.end();
}

/**
 * Gives the call's share of the response budget back once its answer has left for the client,
 * or the client has gone: until then the envelope being written holds the bytes.
 */
export function closeWhenAnswered(response: ServerResponse, budget: CallResponseBudget | undefined): void {
  if (budget === undefined) return;
  if (budget.heldBytes === 0 || response.destroyed) return budget.close();
  response.once('close', () => budget.close());
}
