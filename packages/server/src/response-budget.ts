import type { ResponseBudget } from '@connector-proxy/sdk';

/**
 * The bytes of third parties' answers every call of this process holds at once, bounded by
 * `CONNECTOR_PROXY_MAX_BUFFERED_BYTES`: each call takes its share as the bytes arrive (see
 * `readChunksAtMost`) and gives it all back when its envelope has been written or dropped, so
 * twenty concurrent 45 MB answers cannot take a gigabyte or more.
 */
export class SharedResponseBudget {
  private held = 0;

  constructor(readonly limitBytes: number) {}

  /** Bytes held by all calls now. */
  get heldBytes(): number {
    return this.held;
  }

  /** A share for one call; {@link CallResponseBudget.close} gives back what it took. */
  open(): CallResponseBudget {
    return new CallResponseBudget(this);
  }

  /** Takes `bytes` when they fit; used by the calls' shares only. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limitBytes) return false;
    this.held += bytes;
    return true;
  }

  giveBack(bytes: number): void {
    this.held -= bytes;
  }
}

/** One call's share of the {@link SharedResponseBudget}: what the command sees as `context.responseBudget`. */
export class CallResponseBudget implements ResponseBudget {
  private held = 0;
  private closed = false;

  constructor(private readonly shared: SharedResponseBudget) {}

  get limitBytes(): number {
    return this.shared.limitBytes;
  }

  /** Bytes this call holds now. */
  get heldBytes(): number {
    return this.held;
  }

  reserve(bytes: number): boolean {
    // A command still reading after its call was answered (it ignored its deadline) holds bytes
    // nobody will write: it gets none.
    if (this.closed || !this.shared.take(bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** Gives everything back and takes no more: the call's envelope is written or dropped. */
  close(): void {
    this.closed = true;
    this.shared.giveBack(this.held);
    this.held = 0;
  }
}
