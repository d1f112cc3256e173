import { isIP } from 'node:net';
import { isCommandError, type EgressPolicy } from '@connector-proxy/sdk';
import { callbackUrlDenied } from '../errors.js';

/** How long acceptance waits for DNS before leaving the verdict to the delivery's own check. */
const LOOKUP_WAIT_MS = 2000;

/**
 * Checks a background call's callback URL when the job is accepted, against
 * `CONNECTOR_PROXY_CALLBACK_ORIGINS` when set and against the egress policy:
 * a call whose result could never be delivered must not run its side effect first. The name is
 * resolved as the delivery will resolve it, so `localhost` is denied with `127.0.0.0/8`. When DNS
 * fails or is slow the job is accepted: delivery checks again, and retries a passing DNS fault.
 */
export function callbackUrlChecker(egress: EgressPolicy, origins: readonly string[] | undefined): (callbackUrl: string) => Promise<void> {
  return async (callbackUrl) => {
    const { hostname, origin } = new URL(callbackUrl);
    if (origins !== undefined && !origins.includes(origin)) {
      throw callbackUrlDenied(`${origin} is not one of the origins callbacks may go to (CONNECTOR_PROXY_CALLBACK_ORIGINS)`);
    }
    try {
      egress.assertHostAllowed(hostname);
    } catch (error) {
      throw isCommandError(error) ? callbackUrlDenied(error.message) : error;
    }
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) return; // an address literal was checked whole above
    const denial = await lookupDenial(egress, host);
    if (denial !== undefined) throw callbackUrlDenied(denial);
  };
}

/** The policy's refusal of the addresses `host` resolves to; undefined when allowed, unknown or slow. */
function lookupDenial(egress: EgressPolicy, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), LOOKUP_WAIT_MS);
    timer.unref();
    egress.lookup(host, { all: true }, (error: NodeJS.ErrnoException | null) => {
      clearTimeout(timer);
      resolve(error !== null && isCommandError(error) ? error.message : undefined);
    });
  });
}
