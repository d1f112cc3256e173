// `npm run build`'s last step: dist/cli.js and everything it imports, in one file,
// dist/connector-proxy.mjs, which `npm start`, bin/connector-proxy.js and the Docker image run.
// Node 20 spends most of a start finding, reading and compiling ~1,400 module files (a CPU
// profile of one start: ~400 of ~560 ms); one file starts in about three quarters of the time
// (bench/README.md, "Start and idle memory"). Only whitespace is minified: V8 keeps a module's
// source in memory (6 MB less resident at idle than unminified), while names stay as written, so
// a stack trace still reads; `node --enable-source-maps` maps it back to the TypeScript.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const packageFolder = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: packageFolder,
  entryPoints: ['dist/cli.js'],
  outfile: 'dist/connector-proxy.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Left to Node, each for a reason of its own: a native addon (better-sqlite3); packages that
  // read files beside their own code at run time (bullmq its Lua scripts, pino its transport
  // worker, pg its optional native binding); and the big libraries imported only on first use
  // (ioredis with Redis, the AWS SDK at the first AWS call), which a bundle would parse at every start.
  external: ['better-sqlite3', 'bullmq', 'ioredis', 'pino', 'pino-pretty', 'pg-native', '@aws-sdk/*'],
  // CommonJS dependencies call require(), which an ES module does not have.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  minifyWhitespace: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
