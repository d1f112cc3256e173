import type { Proxy } from './proxy.js';

/**
 * On SIGTERM or SIGINT: stop accepting, give calls in flight `graceMs` to finish, close the
 * connectors, exit 0. A second signal exits at once.
 */
export function closeOnSignals(proxy: Proxy, graceMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      proxy.log.warn({ signal }, 'second signal: exiting now');
      process.exit(0);
    }
    closing = true;
    proxy.log.info({ signal, grace_ms: graceMs }, 'shutting down: finishing calls in flight');
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
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
