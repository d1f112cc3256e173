#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=4 --lazy-new-space-shrinking
// The `connector-proxy` command. npm links a package's bin only if the file exists at install
// time, so in a source checkout (where `dist/` comes from a build) the bin is this committed file,
// not the built entry: `npm ci && npx connector-proxy` then works. When the built entry
// (dist/connector-proxy.mjs, dist/cli.js bundled by scripts/bundle.mjs) is missing it is built
// once, with the checkout's own TypeScript and esbuild, and runs in this same process (signals
// and exit codes are the proxy's own). The V8 flag and the malloc setting are cli.ts's: see there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/connector-proxy.mjs', import.meta.url);

if (!existsSync(cli)) buildFromSource();
await import(cli.href);

function buildFromSource() {
  const project = fileURLToPath(new URL('../../../tsconfig.build.json', import.meta.url));
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    tsc = undefined;
  }
  if (tsc === undefined || !existsSync(project)) fail(`${fileURLToPath(cli)} is missing and there is no TypeScript source checkout to build it from: reinstall the package`);
  process.stderr.write('connector-proxy: first run in this checkout: building it (npm run build)...\n');
  // Build output goes to standard error: standard output stays the command's own (--help, --version, logs).
  const compiled = spawnSync(process.execPath, [tsc, '-b', project], { stdio: ['ignore', 2, 2] });
  const build = compiled.status === 0 ? spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/bundle.mjs', import.meta.url))], { stdio: ['ignore', 2, 2] }) : compiled;
  if (build.status !== 0 || !existsSync(cli)) fail('the build failed (see above); fix it and run again, or run `npm run build` to see it alone');
}

function fail(message) {
  process.stderr.write(`connector-proxy: ${message}\n`);
  process.exit(1);
}
