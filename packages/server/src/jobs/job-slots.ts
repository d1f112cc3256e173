/**
 * Which jobs a process may start, so that short work flows past slow work. A job is *fresh* in
 * its first `slowAfterMs` of running; it is *slow* after that, or from the start when it is a
 * retry (a run or delivery taken up again: the job has shown it may hang). At most `concurrency`
 * fresh jobs and `concurrency` slow ones are started, and never more than twice `concurrency` run
 * at once. So jobs hanging on a URL, or on a callback receiver that never answers, soon count as
 * slow, and a new job waits at most `slowAfterMs` behind them, not a whole timeout per attempt
 * (unless twice `concurrency` jobs hang at once). The count is per process, like
 * `CONNECTOR_PROXY_WORKER_CONCURRENCY`.
 */
export class JobSlots {
  private readonly held = new Map<string, { since: number; retry: boolean }>();

  constructor(private readonly concurrency: number, private readonly slowAfterMs: number) {}

  /** The most jobs ever running at once. */
  get capacity(): number {
    return 2 * this.concurrency;
  }

  get size(): number {
    return this.held.size;
  }

  /** Whether a job (a retry or not) may start now. */
  admits(retry: boolean, now = Date.now()): boolean {
    if (this.held.size >= this.capacity) return false;
    const slow = this.slowCount(now);
    return retry ? slow < this.concurrency : this.held.size - slow < this.concurrency;
  }

  take(id: string, retry: boolean, now = Date.now()): void {
    this.held.set(id, { since: now, retry });
  }

  release(id: string): void {
    this.held.delete(id);
  }

  private slowCount(now: number): number {
    let slow = 0;
    for (const { since, retry } of this.held.values()) if (retry || now - since >= this.slowAfterMs) slow += 1;
    return slow;
  }
}
