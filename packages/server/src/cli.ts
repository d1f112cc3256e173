#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=4 --lazy-new-space-shrinking
// V8's young generation capped at 4 MB a half (default 16): a call's data dies young either way,
// and the smaller nursery keeps resident memory 10-40 MB lower under load, for little cost to small
// calls and up to ~20 % of the calls/s of large request bodies (README.md, "Benchmarks").
// --lazy-new-space-shrinking: the nursery starts at that 4 MB (a start grew it there anyway) and
// is shrunk by the memory reducer's collections once the process is idle, ~8 s after the start:
// 9 MB less resident idle after a start (73 to 64 MB), for no measured cost to start or calls.
// glibc's malloc keeps up to twice the largest block it ever freed (a bundled source file read at
// start, a 100 KB answer) rather than give it back; MALLOC_TRIM_THRESHOLD_ fixes that at 128 KB:
// ~2 MB less resident at idle, 5-6 MB less at the peak of a 100 KB load, for no measured cost
// (bench/README.md, "Issue 15"). Other C libraries ignore it.
// `npm start`, the Dockerfile, the bench and bin/connector-proxy.js pass the same flags and setting.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { isCommandError } from '@connector-proxy/sdk';
import { isClusterPrimary, isClusterWorker, runClusterPrimary, stopWhenPrimaryAsks } from './cluster.js';
import { loadConfig } from './config.js';
import { packageVersion } from './package-folder.js';
import { warnAboutExposure } from './exposure-warnings.js';
import { closeOnSignals } from './shutdown.js';

// The old generation may grow to twice what survived the last full collection before the next
// one (V8 allows up to four times): under a steady load of 100 KB answers, peak resident memory
// fell from 145-175 MB to ~135 MB, for no measured cost in calls/s. Unlike the nursery's size,
// V8 reads this flag each time it sets the limit, so it can be set here.
setFlagsFromString('--heap-growing-percent=100');

const HELP = `Usage: connector-proxy [options]

Serves SpiffWorkflow / SpiffArena service-task connectors over HTTP.

Options:
  -p, --port <port>        port to listen on (env PORT, default 8200)
  -H, --host <host>        address to listen on (env HOST, default 0.0.0.0)
      --log-level <level>  fatal|error|warn|info|debug|trace|silent (env CONNECTOR_PROXY_LOG_LEVEL)
      --log-format <f>     json|pretty (env CONNECTOR_PROXY_LOG_FORMAT; default pretty on a terminal, else json)
      --workers <n>        processes sharing the port, 1 to 64 (env CONNECTOR_PROXY_WORKERS, default 1)
  -v, --version            print the version
  -h, --help               print this help

Every other setting comes from the environment: see the configuration table in README.md
(at the top of the source checkout; /app/README.md in the Docker image).
`;

/** Command-line options override the environment variables of the same meaning. */
function environmentFromArgs(argv: string[]): NodeJS.ProcessEnv | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string', short: 'H' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      workers: { type: 'string' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return undefined;
  }
  const env = { ...process.env };
  if (values.port !== undefined) env.PORT = values.port;
  if (values.host !== undefined) env.HOST = values.host;
  if (values['log-level'] !== undefined) env.CONNECTOR_PROXY_LOG_LEVEL = values['log-level'];
  if (values['log-format'] !== undefined) env.CONNECTOR_PROXY_LOG_FORMAT = values['log-format'];
  if (values.workers !== undefined) env.CONNECTOR_PROXY_WORKERS = values.workers;
  return env;
}

async function main(): Promise<void> {
  const env = environmentFromArgs(process.argv.slice(2));
  if (env === undefined) return;
  // Checked here too so that a bad setting stops the primary before it forks anything.
  const config = loadConfig(env);
  if (isClusterPrimary(config)) return runClusterPrimary(config);
  // Loaded only here: a cluster's primary serves nothing and need not hold the server and connectors in memory.
  const { createProxy } = await import('./proxy.js');
  const proxy = await createProxy({ env });
  if (isClusterWorker()) stopWhenPrimaryAsks(proxy);
  else {
    // In a cluster the primary warns, once.
    warnAboutExposure(proxy.config, proxy.log);
    closeOnSignals(proxy, proxy.config.shutdownGraceMs);
  }
  await proxy.listen();
}

main().catch((error: unknown) => {
  // Configuration mistakes are the operator's to fix: say which, without a stack trace.
  const message = isCommandError(error) || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (error as Error).message : String((error as Error).stack ?? error);
  process.stderr.write(`connector-proxy: ${message}\n`);
  process.exit(1);
});
