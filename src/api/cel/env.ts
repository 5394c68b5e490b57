// The CEL environment Kubernetes gives x-kubernetes-validations rules, on @marcbachmann/cel-js:
// the standard library and macros (has, all, exists, exists_one, map, filter), optional types
// (`self.?x.orValue(y)`), plus the parts of Kubernetes' extension libraries the library lacks
// (strings: charAt, replace, reverse; regex: find, findAll; lists: isSorted, sum, min, max,
// indexOf, lastIndexOf, slice, flatten, sort, distinct, reverse), and in their own files: sets, url,
// quantity, semver (libs.ts), ip and cidr (net.ts), format (format.ts), string.format and
// strings.quote (strings.ts), authorizer (authz.ts). Not provided (a rule using them fails to
// compile): math.*, base64.*, lists.range, two-variable comprehensions.
import { Environment } from '@marcbachmann/cel-js';
import { registerAuthzLibrary } from './authz.ts';
import { registerFormatLibrary } from './format.ts';
import { celEqual, isURL, registerExtensionLibraries } from './libs.ts';
import { registerIPCanonical, registerNetLibraries } from './net.ts';
import { registerStringsLibrary } from './strings.ts';

type Value = unknown;

function compare(a: any, b: any): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function regex(pattern: string): RegExp {
  let flags = '';
  let src = pattern;
  if (src.startsWith('(?i)')) {
    flags = 'i';
    src = src.slice(4);
  }
  return new RegExp(src, flags + 'u');
}

/** Options every Kubernetes CEL environment uses (optional types, heterogeneous literals, size limits). */
export const ENVIRONMENT_OPTIONS = { enableOptionalTypes: true, homogeneousAggregateLiterals: false, limits: { maxAstNodes: 100000, maxDepth: 250, maxListElements: 100000, maxMapEntries: 100000, maxCallArguments: 32 } };

/**
 * A new environment with Kubernetes' CEL libraries (the functions above) registered, for every CEL
 * user: x-kubernetes-validations rules, webhook matchConditions, ValidatingAdmissionPolicy.
 */
export function kubernetesEnvironment(): Environment {
  const e = new Environment(ENVIRONMENT_OPTIONS);
  e.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  })
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
    .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
      if (n < 0n) return s.split(a).join(b);
      let out = s;
      let from = 0;
      for (let k = 0n; k < n; k++) {
        const i = out.indexOf(a, from);
        if (i < 0) break;
        out = out.slice(0, i) + b + out.slice(i + a.length);
        from = i + b.length + (a.length === 0 ? 1 : 0);
      }
      return out;
    })
    .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''))
    .registerFunction('string.find(string): string', (s: string, p: string) => regex(p).exec(s)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => [...s.matchAll(new RegExp(regex(p).source, regex(p).flags + 'g'))].map((m) => m[0]))
    .registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => {
      const all = [...s.matchAll(new RegExp(regex(p).source, regex(p).flags + 'g'))].map((m) => m[0]);
      return n < 0n ? all : all.slice(0, Number(n));
    })
    .registerFunction('list.isSorted(): bool', (l: Value[]) => l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0))
    .registerFunction('list.sum(): dyn', (l: Value[]) => (l.length === 0 ? 0n : l.reduce((a: any, b: any) => a + b)))
    .registerFunction('list.min(): dyn', (l: Value[]) => {
      if (l.length === 0) throw new Error('min called on empty list');
      return l.reduce((a, b) => (compare(b, a) < 0 ? b : a));
    })
    .registerFunction('list.max(): dyn', (l: Value[]) => {
      if (l.length === 0) throw new Error('max called on empty list');
      return l.reduce((a, b) => (compare(b, a) > 0 ? b : a));
    })
    .registerFunction('list.indexOf(dyn): int', (l: Value[], v: Value) => BigInt(l.findIndex((x) => celEqual(x, v))))
    .registerFunction('list.lastIndexOf(dyn): int', (l: Value[], v: Value) => {
      for (let i = l.length - 1; i >= 0; i--) if (celEqual(l[i], v)) return BigInt(i);
      return -1n;
    })
    .registerFunction('list.slice(int, int): list', (l: Value[], a: bigint, b: bigint) => {
      if (a < 0n || b > BigInt(l.length) || a > b) throw new Error(`cannot slice(${a}, ${b}), list is length ${l.length}`);
      return l.slice(Number(a), Number(b));
    })
    .registerFunction('list.flatten(): list', (l: Value[]) => l.flatMap((x) => (Array.isArray(x) ? x : [x])))
    .registerFunction('list.sort(): list', (l: Value[]) => [...l].sort(compare))
    .registerFunction('list.distinct(): list', (l: Value[]) => l.filter((x, i) => l.findIndex((y) => celEqual(x, y)) === i))
    .registerFunction('list.reverse(): list', (l: Value[]) => [...l].reverse())
    .registerFunction('isURL(string): bool', isURL);
  registerExtensionLibraries(e);
  registerNetLibraries(e);
  registerIPCanonical(e);
  registerFormatLibrary(e);
  registerStringsLibrary(e);
  registerAuthzLibrary(e);
  return e;
}

const envs = new Map<string, Environment>();

/**
 * The environment rules compile in: `self` and `oldSelf` (an optional for optionalOldSelf rules) are
 * dyn, so a field the schema lacks is an evaluation error rather than a compile error.
 */
export function baseEnvironment(optionalOldSelf = false): Environment {
  const key = optionalOldSelf ? 'optional' : 'plain';
  const cached = envs.get(key);
  if (cached) return cached;
  const e = kubernetesEnvironment().registerVariable('self', 'dyn').registerVariable('oldSelf', optionalOldSelf ? 'optional<dyn>' : 'dyn');
  envs.set(key, e);
  return e;
}
