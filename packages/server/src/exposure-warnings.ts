import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { ProxyConfig } from './config.js';

/**
 * At start, one warning for each protection a proxy reachable from other machines lacks: anyone
 * who reaches it could run commands without an API key, and make it call any address (internal
 * services included) without an egress allow-list. On loopback neither is said: only this
 * machine reaches it.
 */
export function warnAboutExposure(config: Pick<ProxyConfig, 'host' | 'apiKey' | 'egressAllow'>, log: Pick<Logger, 'warn'>): void {
  if (isLoopback(config.host)) return;
  if (config.apiKey === undefined) {
    log.warn({ host: config.host }, `listening on ${config.host} without an API key: anyone who reaches this port can run commands (set CONNECTOR_PROXY_API_KEY)`);
  }
  if (config.egressAllow === undefined) {
    log.warn({ host: config.host }, `listening on ${config.host} without an egress allow-list: callers can make the proxy reach any address, internal ones too (set CONNECTOR_PROXY_EGRESS_ALLOW)`);
  }
}

function isLoopback(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1' || /^::ffff:127\./.test(address);
}
