/**
 * What connecting to an address can reach, for the egress policy to check every one of them.
 * An address is not always only itself: the unspecified addresses connect to this host, and
 * several IPv6 forms carry an IPv4 address that a translator or tunnel delivers to.
 */
import { isIP } from 'node:net';

/** This host, as the unspecified addresses reach it: a dual-stack listener answers on both. */
const LOOPBACKS = ['127.0.0.1', '::1'];

/**
 * The address itself and every address a connection to it may end up at.
 *
 * - `0.0.0.0/8` and `::` ("this host"; Linux connects them to the local machine): the loopbacks.
 * - IPv6 forms embedding an IPv4 address: that address (and what it reaches in turn):
 *   IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64 `64:ff9b::/96` (RFC 6052) and
 *   `64:ff9b:1::/48` (RFC 8215, with the address in the last 32 bits), 6to4 `2002::/16`
 *   (RFC 3056), Teredo `2001::/32` (RFC 4380: its server and its client, whose bits are inverted).
 *
 * @example
 * reachedAddresses('64:ff9b::a9fe:a9fe') // ['64:ff9b::a9fe:a9fe', '169.254.169.254']
 * reachedAddresses('0.0.0.0')            // ['0.0.0.0', '127.0.0.1', '::1']
 */
export function reachedAddresses(address: string): string[] {
  const family = isIP(address);
  if (family === 4) return address.startsWith('0.') ? [address, ...LOOPBACKS] : [address];
  if (family !== 6) return [address];
  const groups = ipv6Groups(address);
  if (groups.every((group) => group === 0)) return [address, ...LOOPBACKS];
  return [address, ...embeddedIpv4(groups).flatMap(reachedAddresses)];
}

/** The IPv4 addresses an IPv6 address (as its eight 16-bit groups) carries, by its prefix. */
function embeddedIpv4(groups: readonly number[]): string[] {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const high = (g0 | g1 | g2 | g3 | g4) === 0;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible), but not :: and ::1, which are themselves.
  if (high && (g5 === 0xffff || (g5 === 0 && (g6 !== 0 || g7 > 1)))) return [ipv4(g6, g7)];
  if (g0 === 0x64 && g1 === 0xff9b && (g2 | g3 | g4 | g5) === 0) return [ipv4(g6, g7)];
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return [ipv4(g6, g7)];
  if (g0 === 0x2002) return [ipv4(g1, g2)];
  if (g0 === 0x2001 && g1 === 0) return [ipv4(g2, g3), ipv4(g6 ^ 0xffff, g7 ^ 0xffff)];
  return [];
}

function ipv4(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` and a dotted IPv4 tail expanded, zone dropped). */
function ipv6Groups(address: string): number[] {
  const text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  const hex = dotted ? `${text.slice(0, dotted.index)}${toHexGroups(dotted.slice(1).map(Number))}` : text;
  const [head = '', tail] = hex.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function toHexGroups([a = 0, b = 0, c = 0, d = 0]: number[]): string {
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}
