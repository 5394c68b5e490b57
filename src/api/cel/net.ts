// Kubernetes' CEL IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go): ip(),
// isIP(), ip.isCanonical(), family(), isUnspecified/isLoopback/isLinkLocalMulticast/
// isLinkLocalUnicast/isGlobalUnicast; cidr(), isCIDR(), containsIP, containsCIDR, ip(), masked(),
// prefixLength(); string() of both. IPv4-mapped IPv6 addresses and zones are refused, as there.
import { isIPv4, isIPv6 } from 'node:net';
import type { Environment } from '@marcbachmann/cel-js';

export class NetIP {
  constructor(
    readonly family: 4 | 6,
    readonly bits: bigint,
  ) {}
  get width(): bigint {
    return this.family === 4 ? 32n : 128n;
  }
}

export class NetCIDR {
  constructor(
    readonly ip: NetIP,
    readonly prefix: number,
  ) {}
}

function v6Bits(s: string): bigint | undefined {
  let host: string;
  try {
    host = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses an address as Kubernetes' ip() does; throws Error with its words. */
export function parseIP(s: string): NetIP {
  if (isIPv4(s)) {
    if (s.split('.').some((o) => o.length > 1 && o.startsWith('0'))) throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): IPv4 field has octet with leading zero`);
    return new NetIP(4, s.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n));
  }
  if (s.includes('%')) throw new Error('IP address with zone value is not allowed');
  const bits = isIPv6(s) ? v6Bits(s) : undefined;
  if (bits === undefined) throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
  if (bits >> 32n === 0xffffn) throw new Error('IPv4-mapped IPv6 address is not allowed');
  return new NetIP(6, bits);
}

export function ipString(ip: NetIP): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((ip.bits >> sh) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip.bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

export function parseCIDR(s: string): NetCIDR {
  const slash = s.lastIndexOf('/');
  const fail = () => new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): bad prefix`);
  if (slash < 0) throw fail();
  const ip = parseIP(s.slice(0, slash));
  const len = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(len) || BigInt(len) > ip.width) throw fail();
  return new NetCIDR(ip, Number(len));
}

const mask = (c: NetCIDR) => ((1n << c.ip.width) - 1n) ^ ((1n << (c.ip.width - BigInt(c.prefix))) - 1n);
const contains = (c: NetCIDR, ip: NetIP) => ip.family === c.ip.family && (ip.bits & mask(c)) === (c.ip.bits & mask(c));
const masked = (c: NetCIDR) => new NetCIDR(new NetIP(c.ip.family, c.ip.bits & mask(c)), c.prefix);
const within = (ip: NetIP, cidr: string) => contains(parseCIDR(cidr), ip);

function ok(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

const I = 'net.IP';
const C = 'net.CIDR';

export function registerNetLibraries(e: Environment): Environment {
  return e
    .registerType(I, NetIP)
    .registerType(C, NetCIDR)
    .registerFunction(`ip(string): ${I}`, parseIP)
    .registerFunction('isIP(string): bool', (s: string) => ok(() => parseIP(s)))
    .registerFunction(`string(${I}): string`, ipString)
    .registerFunction(`${I}.family(): int`, (ip: NetIP) => BigInt(ip.family))
    .registerFunction(`${I}.isUnspecified(): bool`, (ip: NetIP) => ip.bits === 0n)
    .registerFunction(`${I}.isLoopback(): bool`, (ip: NetIP) => (ip.family === 4 ? within(ip, '127.0.0.0/8') : ip.bits === 1n))
    .registerFunction(`${I}.isLinkLocalMulticast(): bool`, (ip: NetIP) => within(ip, ip.family === 4 ? '224.0.0.0/24' : 'ff02::/16'))
    .registerFunction(`${I}.isLinkLocalUnicast(): bool`, (ip: NetIP) => within(ip, ip.family === 4 ? '169.254.0.0/16' : 'fe80::/10'))
    .registerFunction(`${I}.isGlobalUnicast(): bool`, (ip: NetIP) => {
      if (ip.bits === 0n) return false;
      if (ip.family === 4) return !['127.0.0.0/8', '224.0.0.0/4', '169.254.0.0/16', '255.255.255.255/32'].some((c) => within(ip, c));
      return !(ip.bits === 1n || within(ip, 'ff00::/8') || within(ip, 'fe80::/10'));
    })
    .registerOperator(`${I} == ${I}`, (a: NetIP, b: NetIP) => a.family === b.family && a.bits === b.bits)
    .registerFunction(`${C}.containsIP(${I}): bool`, (c: NetCIDR, ip: NetIP) => contains(c, ip))
    .registerFunction(`${C}.containsIP(string): bool`, (c: NetCIDR, s: string) => contains(c, parseIP(s)))
    .registerFunction(`${C}.containsCIDR(${C}): bool`, (c: NetCIDR, o: NetCIDR) => o.prefix >= c.prefix && contains(c, o.ip))
    .registerFunction(`${C}.containsCIDR(string): bool`, (c: NetCIDR, s: string) => {
      const o = parseCIDR(s);
      return o.prefix >= c.prefix && contains(c, o.ip);
    })
    .registerFunction(`${C}.ip(): ${I}`, (c: NetCIDR) => c.ip)
    .registerFunction(`${C}.masked(): ${C}`, masked)
    .registerFunction(`${C}.prefixLength(): int`, (c: NetCIDR) => BigInt(c.prefix))
    .registerFunction(`cidr(string): ${C}`, parseCIDR)
    .registerFunction('isCIDR(string): bool', (s: string) => ok(() => parseCIDR(s)))
    .registerFunction(`string(${C}): string`, (c: NetCIDR) => `${ipString(c.ip)}/${c.prefix}`)
    .registerOperator(`${C} == ${C}`, (a: NetCIDR, b: NetCIDR) => a.prefix === b.prefix && a.ip.family === b.ip.family && a.ip.bits === b.ip.bits);
}

/** ip.isCanonical(string): the address is written as ip().string() writes it. */
export function registerIPCanonical(e: Environment): Environment {
  class IPNamespace {}
  return e
    .registerType('kubesim.IPNamespace', IPNamespace)
    .registerConstant('ip', 'kubesim.IPNamespace', new IPNamespace())
    .registerFunction('kubesim.IPNamespace.isCanonical(string): bool', (_: unknown, s: string) => ipString(parseIP(s)) === s);
}
