// Kubernetes' CEL extension libraries the CEL library lacks (k8s.io/apiserver/pkg/cel/library and
// cel-go's ext.Sets): sets.contains/equivalent/intersects, the URL type (url, getScheme, getHost,
// getHostname, getPort, getEscapedPath, getQuery), the Quantity type (quantity, isQuantity,
// comparisons and arithmetic) and the Semver type (semver, isSemver, major/minor/patch, comparisons).
// Namespaced functions (`sets.x`) are methods of a constant, as the CEL library does for `optional`.
import type { Environment } from '@marcbachmann/cel-js';
import { formatQuantity, parseQuantity, type Quantity } from '../quantity.ts';

type Value = unknown;

/** CEL equality of two list elements (ints are BigInt, doubles numbers: 1 == 1.0 in sets). */
export function celEqual(a: any, b: any): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a !== 'object' && typeof b !== 'object' && Number(a) === Number(b);
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEqual(x, b[i]));
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && celEqual(v, b.get(k)));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => celEqual(a[k], b[k]));
  }
  return false;
}

const has = (l: Value[], x: Value) => l.some((y) => celEqual(x, y));

export class SetsNamespace {}

export class KubeURL {
  constructor(readonly url: URL) {}
}

export class KubeQuantity {
  constructor(readonly q: Quantity) {}
}

export class Semver {
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: string,
  ) {}
}

/** url.ParseRequestURI: an absolute URI or an absolute path (no fragment). */
function parseURL(s: string): URL | undefined {
  if (s.includes('#')) return undefined;
  try {
    if (s.startsWith('/')) return new URL(s, 'relative:///');
    const u = new URL(s);
    return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) ? u : undefined;
  } catch {
    return undefined;
  }
}

/** isURL: url.ParseRequestURI accepts it. */
export const isURL = (s: string): boolean => parseURL(s) !== undefined;

function toURL(s: string): KubeURL {
  const u = parseURL(s);
  if (!u) throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`);
  return new KubeURL(u);
}

function toQuantity(s: string): KubeQuantity {
  try {
    return new KubeQuantity(parseQuantity(s));
  } catch {
    throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  }
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function toSemver(s: string): Semver {
  const m = SEMVER.exec(s);
  if (!m) throw new Error(`could not parse ${JSON.stringify(s)} as semver`);
  return new Semver(BigInt(m[1]), BigInt(m[2]), BigInt(m[3]), m[4] ?? '');
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (!a) return 1;
  if (!b) return -1;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const nx = /^\d+$/.test(x[i]);
    const ny = /^\d+$/.test(y[i]);
    if (nx && ny && BigInt(x[i]) !== BigInt(y[i])) return BigInt(x[i]) < BigInt(y[i]) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

export function compareSemver(a: Semver, b: Semver): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return comparePre(a.pre, b.pre);
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1n : a > b ? 1n : 0n);
const NANO = 10n ** 9n;
const plus = (a: KubeQuantity, nano: bigint) => new KubeQuantity({ nano: a.q.nano + nano, format: a.q.format });
const MAX_INT64 = 2n ** 63n - 1n;

function query(u: URL): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of u.searchParams) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}

const Q = 'kubernetes.Quantity';
const U = 'kubernetes.URL';
const S = 'kubernetes.Semver';

export function registerExtensionLibraries(e: Environment): Environment {
  e.registerType('kubesim.SetsNamespace', SetsNamespace)
    .registerConstant('sets', 'kubesim.SetsNamespace', new SetsNamespace())
    .registerFunction('kubesim.SetsNamespace.contains(list, list): bool', (_: unknown, a: Value[], b: Value[]) => b.every((x) => has(a, x)))
    .registerFunction('kubesim.SetsNamespace.equivalent(list, list): bool', (_: unknown, a: Value[], b: Value[]) => b.every((x) => has(a, x)) && a.every((x) => has(b, x)))
    .registerFunction('kubesim.SetsNamespace.intersects(list, list): bool', (_: unknown, a: Value[], b: Value[]) => a.some((x) => has(b, x)));
  e.registerType(U, KubeURL)
    .registerFunction(`url(string): ${U}`, toURL)
    .registerFunction(`${U}.getScheme(): string`, (u: KubeURL) => (u.url.protocol === 'relative:' ? '' : u.url.protocol.replace(/:$/, '')))
    .registerFunction(`${U}.getHost(): string`, (u: KubeURL) => u.url.host)
    .registerFunction(`${U}.getHostname(): string`, (u: KubeURL) => u.url.hostname.replace(/^\[(.*)\]$/, '$1'))
    .registerFunction(`${U}.getPort(): string`, (u: KubeURL) => u.url.port)
    .registerFunction(`${U}.getEscapedPath(): string`, (u: KubeURL) => u.url.pathname)
    .registerFunction(`${U}.getQuery(): map<string, list<string>>`, (u: KubeURL) => query(u.url));
  e.registerType(Q, KubeQuantity)
    .registerFunction(`quantity(string): ${Q}`, toQuantity)
    .registerFunction('isQuantity(string): bool', (s: string) => {
      try {
        parseQuantity(s);
        return true;
      } catch {
        return false;
      }
    })
    .registerFunction(`${Q}.sign(): int`, (q: KubeQuantity) => cmp(q.q.nano, 0n))
    .registerFunction(`${Q}.isInteger(): bool`, (q: KubeQuantity) => q.q.nano % NANO === 0n && q.q.nano / NANO <= MAX_INT64 && q.q.nano / NANO >= -MAX_INT64 - 1n)
    .registerFunction(`${Q}.asInteger(): int`, (q: KubeQuantity) => {
      if (q.q.nano % NANO !== 0n || q.q.nano / NANO > MAX_INT64 || q.q.nano / NANO < -MAX_INT64 - 1n) throw new Error('cannot convert value to integer');
      return q.q.nano / NANO;
    })
    .registerFunction(`${Q}.asApproximateFloat(): double`, (q: KubeQuantity) => Number(q.q.nano) / 1e9)
    .registerFunction(`${Q}.compareTo(${Q}): int`, (a: KubeQuantity, b: KubeQuantity) => cmp(a.q.nano, b.q.nano))
    .registerFunction(`${Q}.isGreaterThan(${Q}): bool`, (a: KubeQuantity, b: KubeQuantity) => a.q.nano > b.q.nano)
    .registerFunction(`${Q}.isLessThan(${Q}): bool`, (a: KubeQuantity, b: KubeQuantity) => a.q.nano < b.q.nano)
    .registerFunction(`${Q}.add(${Q}): ${Q}`, (a: KubeQuantity, b: KubeQuantity) => plus(a, b.q.nano))
    .registerFunction(`${Q}.add(int): ${Q}`, (a: KubeQuantity, b: bigint) => plus(a, b * NANO))
    .registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: KubeQuantity, b: KubeQuantity) => plus(a, -b.q.nano))
    .registerFunction(`${Q}.sub(int): ${Q}`, (a: KubeQuantity, b: bigint) => plus(a, -b * NANO))
    .registerFunction(`string(${Q}): string`, (q: KubeQuantity) => formatQuantity(q.q))
    .registerOperator(`${Q} == ${Q}`, (a: KubeQuantity, b: KubeQuantity) => a.q.nano === b.q.nano);
  e.registerType(S, Semver)
    .registerFunction(`semver(string): ${S}`, toSemver)
    .registerFunction('isSemver(string): bool', (s: string) => SEMVER.test(s))
    .registerFunction(`${S}.major(): int`, (v: Semver) => v.major)
    .registerFunction(`${S}.minor(): int`, (v: Semver) => v.minor)
    .registerFunction(`${S}.patch(): int`, (v: Semver) => v.patch)
    .registerFunction(`${S}.compareTo(${S}): int`, (a: Semver, b: Semver) => BigInt(compareSemver(a, b)))
    .registerFunction(`${S}.isGreaterThan(${S}): bool`, (a: Semver, b: Semver) => compareSemver(a, b) > 0)
    .registerFunction(`${S}.isLessThan(${S}): bool`, (a: Semver, b: Semver) => compareSemver(a, b) < 0)
    .registerOperator(`${S} == ${S}`, (a: Semver, b: Semver) => compareSemver(a, b) === 0);
  return e;
}
