/**
 * The used-state ledger in Redis (the one of `CONNECTOR_PROXY_QUEUE_URL`): `SET key NX PX` is
 * atomic, so of two replicas handed the same state at once exactly one wins, and the key
 * disappears when the state would have expired anyway.
 */
import { configurationError, redactUrl } from '@connector-proxy/sdk';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FlowState } from './flow-state.js';
import type { StateLedger } from './state-ledger.js';

const KEY_PREFIX = 'connector-proxy:oauth-state:';
const CONNECT_TIMEOUT_MS = 5_000;

export class RedisStateLedger implements StateLedger {
  private constructor(private readonly redis: Redis) {}

  /** Connects, failing the start with a message naming the variable when Redis does not answer. */
  static async connect(url: string, log: Pick<Logger, 'warn'>): Promise<RedisStateLedger> {
    // Bounded retries: a callback should fail with a page rather than hang while Redis is away.
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 2 });
    let lastError: Error | undefined;
    redis.on('error', (error: Error) => {
      if (lastError?.message !== error.message) log.warn({ err: error.message }, 'OAuth state ledger (Redis) error');
      lastError = error;
    });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw configurationError('CONNECTOR_PROXY_QUEUE_URL', `points at a Redis that could not be used for OAuth states (${redactUrl(url)}): ${(lastError ?? (error as Error)).message}`);
    }
    return new RedisStateLedger(redis);
  }

  async claim(state: FlowState): Promise<boolean> {
    const ttl = Math.max(1, state.expiresAt - Date.now());
    return (await this.redis.set(`${KEY_PREFIX}${state.nonce}`, '1', 'PX', ttl, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
