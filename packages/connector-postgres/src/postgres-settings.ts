import { configurationError, type SetupContext } from '@connector-proxy/sdk';
import type { PoolSettings } from './pool-registry.js';

/** The environment variables this connector reads at start (README.md documents each). */
export const PostgresEnvironment = {
  statementTimeoutMs: 'CONNECTOR_PROXY_POSTGRES_STATEMENT_TIMEOUT_MS',
  connectTimeoutMs: 'CONNECTOR_PROXY_POSTGRES_CONNECT_TIMEOUT_MS',
  idleTimeoutMs: 'CONNECTOR_PROXY_POSTGRES_IDLE_TIMEOUT_MS',
  maxPools: 'CONNECTOR_PROXY_POSTGRES_MAX_POOLS',
} as const;

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_POOLS = 16;

/**
 * The pools' limits from the environment. Statements are bounded like any outbound call
 * (`CONNECTOR_PROXY_HTTP_TIMEOUT_MS`) unless the connector's own variable says otherwise.
 */
export function readPoolSettings({ env, settings }: SetupContext): PoolSettings {
  const whole = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) {
      throw configurationError(name, `must be a whole number greater than 0 (got ${JSON.stringify(raw)})`);
    }
    return value;
  };
  return {
    statementTimeoutMs: whole(PostgresEnvironment.statementTimeoutMs, settings.httpTimeoutMs),
    connectTimeoutMs: whole(PostgresEnvironment.connectTimeoutMs, Math.min(DEFAULT_CONNECT_TIMEOUT_MS, settings.httpTimeoutMs)),
    idleTimeoutMs: whole(PostgresEnvironment.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS),
    maxPools: whole(PostgresEnvironment.maxPools, DEFAULT_MAX_POOLS),
    maxResultBytes: settings.maxResponseBytes,
  };
}
