/** The proxy under test: the built command-line entry, as `npm start` runs it; and the bare hop beside it. */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess } from './child-process.js';
import { waitForPort } from './ports.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BARE_HOP = fileURLToPath(new URL('./bare-hop.ts', import.meta.url));
/**
 * How `npm start` runs the proxy, read from cli.ts's `#!` line, where it is set and explained
 * (deployment.test.ts holds `npm start`, the bin, the bundle and the Dockerfile to the same line):
 * `#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=<bytes> node <V8 flags>`.
 */
const LAUNCH_LINE = readFileSync(new URL('../packages/server/src/cli.ts', import.meta.url), 'utf8').split('\n')[0] ?? '';
const LAUNCH = /^#!\/usr\/bin\/env -S (MALLOC_TRIM_THRESHOLD_)=(\d+) node (--.+)$/.exec(LAUNCH_LINE);
if (LAUNCH === null) throw new Error(`cli.ts's #! line is not MALLOC_TRIM_THRESHOLD_=<bytes> node <flags>: ${LAUNCH_LINE}`);
/** The V8 flags `npm start` and the CLI's own `#!` line run the proxy with (see cli.ts). */
export const NODE_FLAGS: readonly string[] = (LAUNCH[3] as string).split(' ');
/** The malloc setting they give it (see cli.ts). */
const MALLOC_ENV: Record<string, string> = { [LAUNCH[1] as string]: LAUNCH[2] as string };

/** The environment `npm start` gives a built entry: the malloc setting for a bundle; a checkout from before the bundle ran without it. */
export function launchEnvironment(entry: string): Record<string, string> {
  return entry.endsWith('.mjs') ? MALLOC_ENV : {};
}

export interface RunningProxy {
  readonly port: number;
  /** The process started: with workers, the cluster's primary. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface ProxyStart {
  readonly port: number;
  readonly workers: number;
  /** For the SQLite job store (no job runs in the bench, but the folder is the proxy's to own). */
  readonly dataDir: string;
  /** Where its output goes: warnings and errors only, at log level warn. */
  readonly logFile: string;
  /** More configuration (timeouts, limits) for runs that need it. */
  readonly env?: Record<string, string>;
  /** How long the port may take to answer (default 30 s): loading a large typeahead file takes longer. */
  readonly startTimeoutMs?: number;
  /** The checkout whose built proxy runs (default: this one), for `--before`. */
  readonly checkout?: string;
  /** V8 flags beyond the proxy's own, e.g. `--trace-gc-nvp` (gc-volume.ts). */
  readonly extraNodeFlags?: readonly string[];
  /** The proxy's own V8 flags, in place of NODE_FLAGS: an A/B of flags (the bench's `--before-node-flags`). */
  readonly nodeFlags?: readonly string[];
}

const START_TIMEOUT_MS = 30_000;
/** How long every worker may take to load its connectors after the first one answers. */
const WORKERS_SETTLE_MS = 2_000;

export function startProxy(start: ProxyStart): Promise<RunningProxy> {
  const entry = proxyEntry(start.checkout);
  return startServer({
    name: 'the proxy',
    nodeFlags: start.nodeFlags ?? NODE_FLAGS,
    args: [...(start.extraNodeFlags ?? []), entry],
    cwd: start.checkout ?? ROOT,
    port: start.port,
    logFile: start.logFile,
    // The port answers once the first worker listens; the others are a moment behind, and a
    // connection is given to a worker when it is opened, so let them all be there first.
    settleMs: start.workers > 1 ? WORKERS_SETTLE_MS : 0,
    startTimeoutMs: start.startTimeoutMs ?? START_TIMEOUT_MS,
    env: {
      PORT: String(start.port),
      HOST: '127.0.0.1',
      CONNECTOR_PROXY_LOG_LEVEL: 'warn',
      CONNECTOR_PROXY_WORKERS: String(start.workers),
      CONNECTOR_PROXY_DATA_DIR: start.dataDir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...launchEnvironment(entry),
      ...start.env,
    },
  });
}

/** A checkout's built proxy as its `npm start` runs it: the bundle where it has one (since issue 15), else dist/cli.js. */
export function proxyEntry(checkout = ROOT): string {
  const bundle = path.join(checkout, 'packages', 'server', 'dist', 'connector-proxy.mjs');
  return existsSync(bundle) ? bundle : path.join(checkout, 'packages', 'server', 'dist', 'cli.js');
}

/** The reference hop of `--bare-hop` (bare-hop.ts), run with the same `node` flags and malloc setting as the proxy, on 127.0.0.1:`port`. */
export function startBareHop(port: number, upstreamOrigin: string, logFile: string, extraNodeFlags: readonly string[] = []): Promise<RunningProxy> {
  return startServer({ name: 'the bare hop', nodeFlags: NODE_FLAGS, args: [...extraNodeFlags, '--import', 'tsx', BARE_HOP, String(port), upstreamOrigin], cwd: ROOT, port, logFile, settleMs: 0, startTimeoutMs: START_TIMEOUT_MS, env: MALLOC_ENV });
}

interface ServerStart {
  readonly name: string;
  readonly nodeFlags: readonly string[];
  /** After the V8 flags. */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly port: number;
  readonly logFile: string;
  /** How long to wait after the port answers. */
  readonly settleMs: number;
  readonly startTimeoutMs: number;
  readonly env: Record<string, string>;
}

async function startServer(start: ServerStart): Promise<RunningProxy> {
  const log = createWriteStream(start.logFile);
  const child = spawn(process.execPath, [...start.nodeFlags, ...start.args], {
    cwd: start.cwd,
    env: { PATH: process.env.PATH ?? '', ...start.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  try {
    await waitForPort(start.port, start.startTimeoutMs, () => (child.exitCode === null ? undefined : `${start.name} exited at start (exit ${child.exitCode}): see ${start.logFile}`));
  } catch (error) {
    // Never left behind: a process that did not start in time is stopped before the bench gives up.
    await stopProcess(child, 'SIGKILL', 5_000);
    log.end();
    throw error;
  }
  if (start.settleMs > 0) await new Promise((resolve) => setTimeout(resolve, start.settleMs));
  return {
    port: start.port,
    pid: child.pid ?? 0,
    async stop() {
      await stopProcess(child, 'SIGTERM', 15_000);
      log.end();
    },
  };
}
