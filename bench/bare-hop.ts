/**
 * `npm run bench -- --bare-hop`: the least a Node.js process can do for the proxy's calls, as a
 * reference measured beside it. A `node:http` server and one undici pool: the call's JSON is
 * parsed for its `url` (and `data`), the upstream's answer is read whole and wrapped in an
 * envelope, with no check, limit, timeout, log or metric. Nobody should run this as a proxy:
 * it shows how near nginx any Node.js hop gets on the machine, which puts the proxy's own ratio
 * in proportion. Started by the bench as its own process:
 * `node --import tsx bench/bare-hop.ts <port> <upstream origin>`.
 */
import http from 'node:http';
import { Pool } from 'undici';

const [port, origin] = process.argv.slice(2);
if (port === undefined || origin === undefined) throw new Error('usage: bare-hop.ts <port> <upstream origin>');
const upstream = new Pool(origin);
const HEAD = Buffer.from('{"command_response":{"body":');

async function hop(call: Buffer, response: http.ServerResponse): Promise<void> {
  const { url, data } = JSON.parse(call.toString()) as { url: string; data?: unknown };
  const answer = await upstream.request({
    path: new URL(url).pathname,
    method: data === undefined ? 'GET' : 'POST',
    headers: data === undefined ? {} : { 'content-type': 'application/json' },
    body: data === undefined ? null : JSON.stringify(data),
  });
  const bytes = Buffer.from(await answer.body.arrayBuffer());
  const isJson = String(answer.headers['content-type']).includes('json');
  const body = isJson ? bytes : Buffer.from(JSON.stringify({ raw_response: bytes.toString() }));
  const tail = `,"mimetype":"application/json","http_status":${answer.statusCode},"headers":{}},"command_response_version":2,"error":null,"spiff__logs":[]}`;
  const envelope = Buffer.concat([HEAD, body, Buffer.from(tail)]);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': envelope.length });
  response.end(envelope);
}

http
  .createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // A failed hop is an error status, which the load generator counts.
      hop(Buffer.concat(chunks), response).catch(() => response.writeHead(502).end());
    });
  })
  .listen(Number(port), '127.0.0.1');
