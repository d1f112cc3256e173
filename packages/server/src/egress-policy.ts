import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { commandError, configurationError, SdkErrorCodes, type CommandError, type EgressPolicy } from '@connector-proxy/sdk';
import { reachedAddresses } from './reached-addresses.js';

/** Cloud metadata endpoints hand out credentials: denied unless an operator says otherwise. */
const DEFAULT_EGRESS_DENY: readonly string[] = ['169.254.0.0/16', 'fd00:ec2::254', 'metadata.google.internal'];

/** One list's entries, sorted by kind: exact names, `*.domain` suffixes, addresses and ranges. */
interface Rules {
  names: Set<string>;
  suffixes: string[];
  addresses: BlockList;
  hasAddresses: boolean;
}

const MAX_REMEMBERED_HOSTS = 1024;

/** Resolves a name to all of its addresses, as `dns.lookup` with `all: true` does. */
export type AddressResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: AddressResolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/;

/**
 * Builds the policy from `CONNECTOR_PROXY_EGRESS_ALLOW` and `_DENY` (hostnames, `*.domain`,
 * IP addresses and CIDR ranges, v4 and v6). With an allow list everything else is denied; the
 * deny list wins over it. An address is checked together with every address it reaches (see
 * `reachedAddresses`): denied when any of them is denied, allowed only when all of them are.
 * `onDenied` hears of every refusal (for the log); `resolve` is the system's resolver but for tests.
 */
export function createEgressPolicy(
  allow: readonly string[] | undefined,
  deny: readonly string[],
  onDenied: (host: string, reason: string) => void,
  resolve: AddressResolver = systemResolver,
): EgressPolicy {
  const allowRules = allow === undefined ? undefined : parseRules(allow, 'CONNECTOR_PROXY_EGRESS_ALLOW');
  const denyRules = parseRules([...DEFAULT_EGRESS_DENY, ...deny], 'CONNECTOR_PROXY_EGRESS_DENY');

  const refuse = (host: string, reason: string): CommandError => {
    onDenied(host, reason);
    return commandError({
      code: SdkErrorCodes.egressDenied,
      httpStatus: 403,
      message: `Connections to ${host} are not allowed by this proxy's egress policy (${reason})`,
    });
  };

  /** Why an address is refused for `host`, or undefined when it may be connected to. */
  const addressProblem = (host: string, address: string): string | undefined => {
    const reached = reachedAddresses(address);
    if (reached.some((one) => matchesAddress(denyRules, one))) return host === address ? 'a denied address' : 'it resolves to a denied address';
    if (allowRules === undefined || matchesName(allowRules, host) || reached.every((one) => matchesAddress(allowRules, one))) return undefined;
    return host === address ? 'an address not on the allow list' : 'not on the allow list';
  };

  /** Why a host is refused before any lookup, or undefined when it may go on to be resolved. */
  const hostProblem = (host: string): string | undefined => {
    if (isIP(host) !== 0) return addressProblem(host, host);
    if (matchesName(denyRules, host)) return 'a denied host';
    // An allow list of names alone can settle it now; ranges need the resolved address.
    if (allowRules !== undefined && !allowRules.hasAddresses && !matchesName(allowRules, host)) return 'not on the allow list';
    return undefined;
  };

  // The rules never change while the proxy runs, and most calls go to a few hosts: remember the
  // verdicts (a bounded number: hosts come from callers) instead of matching on every call.
  const verdicts = new Map<string, string | null>();
  const assertHostAllowed = (hostname: string): void => {
    let problem = verdicts.get(hostname);
    if (problem === undefined) {
      problem = hostProblem(normalizeHost(hostname)) ?? null;
      if (verdicts.size >= MAX_REMEMBERED_HOSTS) verdicts.clear();
      verdicts.set(hostname, problem);
    }
    if (problem !== null) throw refuse(normalizeHost(hostname), problem);
  };

  const lookup = ((hostname: string, options: { all?: boolean } & Record<string, unknown>, callback: (...args: unknown[]) => void) => {
    const host = normalizeHost(hostname);
    resolve(host, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      // One denied record denies the name: a rebinding answer mixes a harmless and an internal one.
      for (const { address } of addresses) {
        const problem = addressProblem(host, address);
        if (problem !== undefined) return callback(refuse(host, problem));
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;

  return { lookup, assertHostAllowed };
}

function parseRules(entries: readonly string[], variable: string): Rules {
  const rules: Rules = { names: new Set(), suffixes: [], addresses: new BlockList(), hasAddresses: false };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry.includes('/')) addRange(rules, entry, variable);
    else if (isIP(normalizeHost(entry)) !== 0) addAddress(rules, normalizeHost(entry));
    else if (entry.startsWith('*.') && HOSTNAME.test(entry.slice(2))) rules.suffixes.push(entry.slice(1));
    else if (HOSTNAME.test(entry)) rules.names.add(entry.replace(/\.$/, ''));
    else throw configurationError(variable, `has ${JSON.stringify(raw)}, which is not a hostname, *.domain, IP address or CIDR range`);
  }
  return rules;
}

function addRange(rules: Rules, entry: string, variable: string): void {
  const [address = '', prefixText = ''] = entry.split('/');
  const family = isIP(address);
  const prefix = Number(prefixText);
  if (family === 0 || !/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
    throw configurationError(variable, `has ${JSON.stringify(entry)}, which is not a valid CIDR range`);
  }
  rules.addresses.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  rules.hasAddresses = true;
}

function addAddress(rules: Rules, address: string): void {
  rules.addresses.addAddress(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  rules.hasAddresses = true;
}

function matchesName(rules: Rules, host: string): boolean {
  return rules.names.has(host) || rules.suffixes.some((suffix) => host.endsWith(suffix));
}

function matchesAddress(rules: Rules, address: string): boolean {
  if (!rules.hasAddresses) return false;
  return rules.addresses.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

/** Lower case, without the brackets of an IPv6 URL host or a final dot. */
function normalizeHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
