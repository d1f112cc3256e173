// `npm run build`'s last step: dist/cli.js and everything it imports, bundled into
// dist/connector-proxy.mjs (which `npm start`, bin/connector-proxy.js and the Docker image run)
// and the chunks it imports, in dist/chunks/. Node 20 spent most of a start finding, reading and
// compiling ~1,400 module files (a CPU profile of one start: ~400 of ~560 ms); the bundle starts
// in about half the time (bench/README.md, "Start and idle memory"). Only whitespace is minified:
// V8 keeps a module's source in memory (6 MB less resident at idle than unminified), while names
// stay as written, so a stack trace still reads; `node --enable-source-maps` maps it back to the
// TypeScript.
//
// `--entry <file> --outdir <folder>` bundles another entry the same way, into <folder>/<its
// name>.mjs: `npm run bench:start -- --library-floor` measures its yardstick bundled as the proxy is.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const packageFolder = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { entry: { type: 'string' }, outdir: { type: 'string', default: 'dist' } } });

// Chunk names carry a hash of their content: a rebuild would otherwise leave the old ones behind.
rmSync(path.resolve(packageFolder, values.outdir, 'chunks'), { recursive: true, force: true });

await build({
  absWorkingDir: packageFolder,
  entryPoints: values.entry === undefined ? { 'connector-proxy': 'dist/cli.js' } : [values.entry],
  outdir: values.outdir,
  // What the code imports on first use (the Redis job store and OAuth ledger, each connector)
  // goes to a file of its own in dist/chunks/, loaded when imported: in one single file, the
  // packages those import (bullmq, ioredis) would be loaded at every start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
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
