/**
 * @module security/policy/ip-address
 * IPv4 and IPv6 addresses and CIDR ranges as big integers, for the `IpAddress` / `NotIpAddress`
 * condition operators. IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`, which a dual-stack Node
 * server reports for IPv4 clients) are treated as the IPv4 address, so an IPv4 range matches them.
 */
import { isIP } from 'node:net';

/** An address: family and value (32 or 128 bits). */
export interface IpValue {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** A CIDR range. */
export interface CidrRange {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly mask: bigint;
  readonly source: string;
}

function parseV4(text: string): bigint {
  let value = 0n;
  for (const part of text.split('.')) value = (value << 8n) | BigInt(Number.parseInt(part, 10));
  return value;
}

function parseV6(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right === undefined ? [] : right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...new Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses an IPv4 or IPv6 address (zone ids are ignored); `undefined` if it is not one. */
export function parseIp(text: string): IpValue | undefined {
  const address = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const family = isIP(address);
  if (family === 4) return { version: 4, value: parseV4(address) };
  if (family !== 6) return undefined;
  const value = parseV6(address);
  if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
  return { version: 6, value };
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a single-address range); `undefined` if invalid. */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip || text.includes('%')) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // A v4-mapped v6 range (::ffff:0:0/96 and longer) is expressed in v4 bits.
    if (ip.version === 4 && isIP(text.slice(0, slash)) === 6) prefix -= 96;
    if (prefix < 0 || prefix > bits) return undefined;
  }
  const all = (1n << BigInt(bits)) - 1n;
  const mask = (all << BigInt(bits - prefix)) & all;
  return { version: ip.version, network: ip.value & mask, mask, source: text };
}

/** True if `ip` lies inside `range` (families must agree). */
export function cidrContains(range: CidrRange, ip: IpValue): boolean {
  return range.version === ip.version && (ip.value & range.mask) === range.network;
}
