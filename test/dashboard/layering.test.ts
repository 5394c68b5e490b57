// web/ is a client of the public HTTP API only: its modules import each other (inside web/) and the
// packages the import map names, never kubesim's sources; the import map names only packages the
// static route serves; the requests it builds go to /api and /apis paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { VENDORED } from '../../src/apiserver/dashboard.ts';

const web = resolve(import.meta.dirname, '../../web');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(readFileSync(join(web, 'index.html'), 'utf8'))![1]).imports as Record<string, string>;

test('the import map names only vendored packages, by files that exist', () => {
  for (const [name, target] of Object.entries(importMap)) {
    const m = /^\.\/vendor\/([^/]+)\//.exec(target);
    assert.ok(m && VENDORED.has(m[1]), `${name} → ${target}`);
    assert.ok(statSync(join(web, '..', 'node_modules', target.slice('./vendor/'.length))).isFile(), target);
  }
});

test('web/ modules import only web/ files and the import map', () => {
  const bad: string[] = [];
  for (const f of files(web).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*import\s[^'"]*?['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(f), spec);
        if (!target.startsWith(web + sep) || !statSync(target, { throwIfNoEntry: false })?.isFile()) bad.push(`${relative(web, f)}: ${spec}`);
      } else if (!(spec in importMap)) bad.push(`${relative(web, f)}: ${spec}`);
    }
    if (/['"]node:|\/src\//.test(text)) bad.push(`${relative(web, f)} names kubesim's sources or node: modules`);
  }
  assert.deepEqual(bad, []);
});
