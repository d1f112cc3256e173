/**
 * `npm run bench:start -- --library-floor`: a server that does nothing but start the libraries
 * the proxy is built on, as the proxy starts them: Fastify answering `/liveness`, an undici Agent,
 * a pino logger at warn, a TypeBox schema compiled, and prom-client's default metrics on a
 * registry. start-time.ts bundles it as the proxy is bundled and starts it in the same turns:
 * its idle memory is the least any proxy on these libraries can take, as the bare hop is the most
 * calls/s a Node.js hop can make. What the proxy takes above it is its own code and connectors.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import Fastify from 'fastify';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Agent } from 'undici';

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const agent = new Agent({ connections: 64 });
const livenessAnswer = TypeCompiler.Compile(Type.Object({ status: Type.Literal('ok') }));
const app = Fastify({ loggerInstance: pino({ level: 'warn' }) });
app.get('/liveness', async () => {
  const answer = { status: 'ok' };
  if (!livenessAnswer.Check(answer)) throw new Error('unreachable: the answer is its schema');
  return answer;
});
app.get('/metrics', async () => registry.metrics());
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => agent.close()));
