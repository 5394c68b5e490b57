// The generic REST path names no kind: per-kind rules live in the kinds' REST storage
// (src/apiserver/kinds/, attached to the registry entries) and in the entries themselves (src/api/kinds/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registry } from '../../src/api/registry.ts';

const apiserver = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/apiserver');

/** Generic files, and the names each may still spell, with the reason. */
const GENERIC: Record<string, string[]> = {
  ...Object.fromEntries(readdirSync(join(apiserver, 'rest')).filter((f) => f.endsWith('.ts')).map((f) => [`rest/${f}`, []])),
  ...Object.fromEntries(readdirSync(apiserver).filter((f) => f.endsWith('.ts')).map((f) => [f, []])),
  'pipeline/index.ts': [],
  'pipeline/run.ts': [],
  // the path grammar, as Kubernetes' RequestInfoFactory spells it: /namespaces/<ns>/... scopes every
  // namespaced resource, and /namespaces/<name>/{status,finalize} are the namespace's own subresources
  'routing.ts': ['namespaces', 'finalize'],
};

/** Every built-in kind's plural and kind, and the subresource/collection names that belong to one kind. */
const NAMES = new Set([...registry.all().flatMap((rt) => [rt.plural, rt.kind]), 'bindings', 'binding', 'Binding', 'eviction', 'Eviction', 'finalize', 'exec', 'attach', 'portforward', 'proxy']);

/** String literals outside comments (enough for our own sources). */
export function literals(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(/'([^'\\\n]*)'|"([^"\\\n]*)"|`([^`\\$]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

test('no generic REST file names a kind, a plural or a per-kind subresource in a string literal', () => {
  const found: string[] = [];
  for (const [file, allowed] of Object.entries(GENERIC)) {
    for (const lit of literals(readFileSync(join(apiserver, file), 'utf8'))) {
      if (NAMES.has(lit) && !allowed.includes(lit)) found.push(`${file}: '${lit}'`);
    }
  }
  assert.deepEqual(found, []);
});

test('the scan sees literals and skips comments', () => {
  assert.deepEqual(literals("// 'pods'\nconst a = rt.plural === 'services'; /* \"x\" */ f(`bindings`);"), ['services', 'bindings']);
  assert.ok(NAMES.has('pods') && NAMES.has('Service') && NAMES.has('namespaces'));
});
