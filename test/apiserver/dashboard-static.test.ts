// The /dashboard/ static route: web/ files and the allowed npm packages' ES modules, nothing else
// (no traversal, no dotfiles, no other package), with their content types; /dashboard redirects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dashboardFile } from '../../src/apiserver/dashboard.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { startTestServer } from './helpers.ts';

const root = join(import.meta.dirname, '../..');

test('dashboardFile: which path serves which file', () => {
  const cases: [string, string | undefined][] = [
    ['/dashboard/', join(root, 'web/index.html')],
    ['/dashboard/app.js', join(root, 'web/app.js')],
    ['/dashboard/views/cluster.js', join(root, 'web/views/cluster.js')],
    ['/dashboard/vendor/preact/dist/preact.mjs', join(root, 'node_modules/preact/dist/preact.mjs')],
    ['/dashboard/vendor/htm/dist/htm.mjs', join(root, 'node_modules/htm/dist/htm.mjs')],
    ['/dashboard/vendor/uplot/dist/uPlot.esm.js', join(root, 'node_modules/uplot/dist/uPlot.esm.js')],
    ['/dashboard/vendor/pino/package.json', undefined],
    ['/dashboard/vendor/preact', undefined],
    ['/dashboard/../package.json', undefined],
    ['/dashboard/%2e%2e/package.json', undefined],
    ['/dashboard/views/%2e%2e/%2e%2e/src/apiserver/index.ts', undefined],
    ['/dashboard/.git/config', undefined],
    ['/dashboard/x.ts', undefined],
    ['/dashboard/%zz', undefined],
    ['/other/app.js', undefined],
  ];
  for (const [path, want] of cases) assert.equal(dashboardFile(path), want, path);
});

let srv: RunningApiServer;
before(async () => {
  srv = await startTestServer();
});
after(() => srv.close());

test('GET /dashboard/ files with their types; 404 for others; /dashboard redirects', async () => {
  const cases: [string, number, RegExp | undefined][] = [
    ['/dashboard/', 200, /text\/html/],
    ['/dashboard/app.js', 200, /text\/javascript/],
    ['/dashboard/style.css', 200, /text\/css/],
    ['/dashboard/vendor/preact/hooks/dist/hooks.mjs', 200, /text\/javascript/],
    ['/dashboard/missing.js', 404, undefined],
    ['/dashboard/vendor/pino/package.json', 404, undefined],
    ['/dashboard/views/', 404, undefined],
  ];
  for (const [path, code, type] of cases) {
    const r = await fetch(srv.url + path);
    await r.arrayBuffer();
    assert.equal(r.status, code, path);
    if (type) assert.match(String(r.headers.get('content-type')), type, path);
  }
  const index = await (await fetch(`${srv.url}/dashboard/`)).text();
  assert.match(index, /<script type="importmap">/);
  const redirect = await fetch(`${srv.url}/dashboard`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/dashboard/');
  const post = await fetch(`${srv.url}/dashboard/app.js`, { method: 'POST' });
  assert.equal(post.status, 404);
});
