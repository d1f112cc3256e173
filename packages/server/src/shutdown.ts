import type { Proxy } from './proxy.js';

/**
 * Returns `stop(reason)`: stop accepting, give calls in flight `graceMs` to finish, close the
 * connectors, exit 0. Calls after the first do nothing: the stop is already under way.
 */
export function gracefulStop(proxy: Proxy, graceMs: number): (reason: string) => void {
  let stopping = false;
  return (reason) => {
    if (stopping) return;
    stopping = true;
    proxy.log.info({ reason, grace_ms: graceMs }, 'shutting down: finishing calls in flight');
    const grace = new Promise<'grace-over'>((resolve) => setTimeout(resolve, graceMs, 'grace-over').unref());
    void Promise.race([proxy.close().then(() => 'closed' as const), grace]).then(
      (outcome) => {
        if (outcome === 'grace-over') proxy.log.warn('grace period over: closing remaining connections');
        proxy.log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        proxy.log.error({ err: error }, 'error while shutting down');
        process.exit(0);
      },
    );
  };
}

/** On SIGTERM or SIGINT: {@link gracefulStop}. A second signal exits at once. */
export function closeOnSignals(proxy: Proxy, graceMs: number): void {
  const stop = gracefulStop(proxy, graceMs);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      proxy.log.warn({ signal }, 'second signal: exiting now');
      process.exit(0);
    }
    signalled = true;
    stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
