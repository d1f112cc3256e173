/**
 * Which OAuth states have been used: a state opens one callback, once. In this process by
 * default; in Redis (redis-state-ledger.ts) when the deployment shares one, so that a state used
 * on one worker or replica is refused on every other.
 */
import type { FlowState } from './flow-state.js';

export interface StateLedger {
  /** True the first time `state` is claimed, false after. Rejects when the ledger cannot be reached. */
  claim(state: FlowState): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Each state's nonce, kept until the state expires (the expiry refuses it after that). Only
 * callbacks with a genuine state reach it, so it holds at most the connections finished in the
 * last 10 minutes.
 */
export class MemoryStateLedger implements StateLedger {
  private readonly used = new Map<string, number>();

  async claim(state: FlowState, now = Date.now()): Promise<boolean> {
    this.forgetExpired(now);
    if (this.used.has(state.nonce)) return false;
    this.used.set(state.nonce, state.expiresAt);
    return true;
  }

  async close(): Promise<void> {}

  private forgetExpired(now: number): void {
    // Insertion order is expiry order (every state lives equally long): stop at the first live one.
    for (const [nonce, expiresAt] of this.used) {
      if (expiresAt > now) return;
      this.used.delete(nonce);
    }
  }
}
