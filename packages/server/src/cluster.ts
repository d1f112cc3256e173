/**
 * `CONNECTOR_PROXY_WORKERS` > 1: one primary process forks that many workers sharing the port
 * (node:cluster, round-robin), replaces one that dies, and drains them all on SIGTERM/SIGINT.
 * The primary serves nothing and loads no connector: every worker is a whole proxy.
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ProxyConfig } from './config.js';
import { warnAboutExposure } from './exposure-warnings.js';
import { createLogger } from './logger.js';
import type { Proxy } from './proxy.js';
import { gracefulStop } from './shutdown.js';

/** Replacement delay after a death; doubled for each worker of a slot that died young, up to the cap. */
const RESTART_BASE_MS = 100;
const RESTART_MAX_MS = 10_000;
/** A worker that lived less than this before dying counts as dying young. */
const YOUNG_MS = 10_000;
/** Past the workers' own grace, how long the primary waits before killing what is left. */
const STOP_MARGIN_MS = 5_000;

/** One worker position: its data directory is stable, whichever process holds it. */
interface Slot {
  readonly number: number;
  worker: Worker | undefined;
  startedAt: number;
  listened: boolean;
  youngDeaths: number;
  restart: NodeJS.Timeout | undefined;
}

/** True in the process that should fork workers rather than serve. */
export function isClusterPrimary(config: ProxyConfig): boolean {
  return config.workers > 1 && cluster.isPrimary;
}

/** True in a process forked by {@link runClusterPrimary}. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/**
 * In a worker, the primary decides when the service stops. A signal sent to the worker itself
 * (a terminal's Ctrl-C reaches every process of the group; systemd signals the whole control
 * group) starts the same graceful stop and never an abrupt exit, so that it and the primary's
 * own request cannot add up to a "second signal". A worker whose primary is gone stops too.
 */
export function stopWhenPrimaryAsks(proxy: Proxy): void {
  const stop = gracefulStop(proxy, proxy.config.shutdownGraceMs);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('disconnect', () => stop('the primary process is gone'));
}

/**
 * Forks `config.workers` workers, each running this same program, and keeps that many running
 * until SIGTERM/SIGINT; then every worker drains and the process exits 0. A worker that dies
 * before all of them first listened means the start failed: everything stops, exit code 1.
 */
export function runClusterPrimary(config: ProxyConfig): void {
  const log = createLogger(config.logLevel, config.logFormat).child({ component: 'cluster' });
  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({
    number: index + 1,
    worker: undefined,
    startedAt: 0,
    listened: false,
    youngDeaths: 0,
    restart: undefined,
  }));
  let stopping = false;
  let exitCode = 0;

  const fork = (slot: Slot): void => {
    slot.restart = undefined;
    const worker = cluster.fork(workerEnvironment(config, slot.number));
    slot.worker = worker;
    slot.startedAt = Date.now();
    log.info({ slot: slot.number, pid: worker.process.pid }, 'worker started');
    worker.on('listening', () => {
      slot.listened = true;
    });
    worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => onExit(slot, worker, code, signal));
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: NodeJS.Signals | null): void => {
    slot.worker = undefined;
    const ended = { slot: slot.number, pid: worker.process.pid, code, signal };
    if (stopping) {
      log.info(ended, 'worker stopped');
      if (slots.every((s) => s.worker === undefined)) process.exit(exitCode);
      return;
    }
    if (!slots.every((s) => s.listened)) {
      log.error(ended, 'a worker failed to start: stopping');
      exitCode = 1;
      stop();
      return;
    }
    slot.youngDeaths = Date.now() - slot.startedAt < YOUNG_MS ? slot.youngDeaths + 1 : 0;
    const delay = Math.min(RESTART_BASE_MS * 2 ** slot.youngDeaths, RESTART_MAX_MS);
    log.warn({ ...ended, restart_in_ms: delay }, 'worker died: replacing it');
    slot.restart = setTimeout(fork, delay, slot);
  };

  // SIGTERM reaches a worker whatever it is doing: mid-start it ends it, once serving it drains.
  const stop = (): void => {
    stopping = true;
    for (const slot of slots) {
      clearTimeout(slot.restart);
      slot.worker?.process.kill('SIGTERM');
    }
    if (slots.every((s) => s.worker === undefined)) process.exit(exitCode);
    setTimeout(() => killAll(slots, log, 'workers still running after the grace period: killing them'), config.shutdownGraceMs + STOP_MARGIN_MS).unref();
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      killAll(slots, log, 'second signal: stopping workers now');
      return;
    }
    log.info({ signal, workers: config.workers, grace_ms: config.shutdownGraceMs }, 'shutting down: workers finish their calls in flight');
    stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  warnAboutExposure(config, log);
  warnAboutStrandedJobs(config, log);
  log.info({ workers: config.workers }, 'starting workers');
  for (const slot of slots) fork(slot);
}

function killAll(slots: readonly Slot[], log: Logger, message: string): void {
  log.warn(message);
  for (const slot of slots) slot.worker?.process.kill('SIGKILL');
}

/**
 * The SQLite job store is one process per file, so without a queue each slot keeps its own
 * folder, the same across replacements: a replacement resumes the jobs its predecessor left.
 * Slot 1 uses the data directory itself, as a single process does, so going from one process
 * to many (or back) strands nothing of slot 1.
 */
function workerEnvironment(config: ProxyConfig, slot: number): Record<string, string> {
  if (config.jobs.queueUrl !== undefined) return {};
  return { CONNECTOR_PROXY_DATA_DIR: slotDataDir(config.jobs.dataDir, slot) };
}

function slotDataDir(dataDir: string, slot: number): string {
  return slot === 1 ? dataDir : path.join(dataDir, `worker-${slot}`);
}

/** Jobs in the folder of a slot this run does not have wait until a run that has it: say so. */
function warnAboutStrandedJobs(config: ProxyConfig, log: Logger): void {
  const { dataDir, queueUrl } = config.jobs;
  if (queueUrl !== undefined || !existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) {
    const slot = /^worker-(\d+)$/.exec(entry)?.[1];
    const folder = path.join(dataDir, entry);
    if (slot !== undefined && Number(slot) > config.workers && existsSync(path.join(folder, 'jobs.sqlite'))) {
      log.warn({ folder }, `jobs of worker ${slot} stay there until the proxy runs with at least ${slot} workers`);
    }
  }
}
