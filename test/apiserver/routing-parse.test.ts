// parseResourcePath reads the segments by index (no slices per request): it must answer every path
// shape exactly as the slice-based parse it replaced (kept here as the reference).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath, type RequestInfo } from '../../src/apiserver/routing.ts';

const namespaceSubresources = new Set(['status', 'finalize']);
function nthSlash(path: string, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) at = path.indexOf('/', at + 1);
  return at;
}
function referenceParse(method: string, path: string, watchParam: boolean): RequestInfo | undefined | "badMethod" {
  const parts = path.split('/');
  // parts[0] is '' (leading slash); drop a trailing empty segment from a trailing slash
  if (parts[parts.length - 1] === '') parts.pop();
  let i: number;
  let group: string;
  let version: string;
  if (parts[1] === 'api') {
    if (parts.length < 4) return undefined;
    group = '';
    version = parts[2];
    i = 3;
  } else if (parts[1] === 'apis') {
    if (parts.length < 5) return undefined;
    group = parts[2];
    version = parts[3];
    i = 4;
  } else {
    return undefined;
  }
  let watchPath = false;
  if (parts[i] === 'watch') {
    watchPath = true;
    i++;
  }
  let rest = parts.slice(i);
  if (rest.length === 0) return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1];
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) {
      rest = rest.slice(2);
    } else {
      // the namespace object itself: /namespaces/<name>[/status|/finalize]
      rest = ['namespaces', rest[1], ...rest.slice(2)];
      namespace = undefined;
    }
  }
  // Past a subresource, the rest of the path is its own (a proxy's target path): kept raw.
  const head = rest.slice(0, 3);
  if (head.some((p) => p === '')) return undefined;
  let subpath: string | undefined;
  if (rest.length > 3) {
    const at = nthSlash(path, parts.length - rest.length + 3);
    subpath = path.slice(at);
  } else if (rest.length === 3 && path.endsWith('/')) {
    subpath = '/';
  }
  const [resource, name, subresource] = head;
  const info: RequestInfo = { verb: 'get', group, version, resource, path };
  if (subpath !== undefined) info.subpath = subpath;
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) {
    try {
      info.name = decodeURIComponent(name);
    } catch {
      return undefined; // malformed percent-encoding: no such resource
    }
  }
  if (subresource !== undefined) info.subresource = subresource;

  if (watchPath) {
    if (method !== 'GET') return 'badMethod';
    info.verb = 'watch';
    return info;
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = name === undefined ? (watchParam ? 'watch' : 'list') : watchParam ? 'watch' : 'get';
      return info;
    case 'POST':
      info.verb = 'create';
      return info;
    case 'PUT':
      if (name === undefined) return 'badMethod';
      info.verb = 'update';
      return info;
    case 'PATCH':
      if (name === undefined) return 'badMethod';
      info.verb = 'patch';
      return info;
    case 'DELETE':
      info.verb = name === undefined ? 'deletecollection' : 'delete';
      return info;
    default:
      return 'badMethod';
  }
}

const prefixes = ['/api/v1', '/apis/apps/v1', '/apis/coordination.k8s.io/v1', '/api', '/apis/apps', '/apis', '/', '', '/healthz', '/api/v1/watch', '/apis/apps/v1/watch'];
const tails = [
  '',
  '/',
  '/pods',
  '/pods/',
  '/pods/web-1',
  '/pods/web-1/',
  '/pods/web-1/status',
  '/pods/web-1/status/',
  '/pods/web-1/proxy/healthz',
  '/pods/web-1/proxy/a/b/',
  '/pods/web%2D1',
  '/pods/web%E0%A4%A',
  '/pods//status',
  '//pods',
  '/namespaces',
  '/namespaces/',
  '/namespaces/default',
  '/namespaces/default/',
  '/namespaces/default/status',
  '/namespaces/default/finalize',
  '/namespaces/default/status/x',
  '/namespaces/default/pods',
  '/namespaces/default/pods/',
  '/namespaces/default/pods/web-1',
  '/namespaces/default/pods/web-1/status',
  '/namespaces/default/pods/web-1/exec',
  '/namespaces/default/pods/web-1/proxy/',
  '/namespaces/default/pods/web-1/proxy/metrics/x?y',
  '/namespaces/default/pods//status',
  '/namespaces//pods',
  '/namespaces/kube-node-lease/leases/node-7',
  '/watch/namespaces/default/pods',
  '/watch/pods/web-1',
];
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

test('parseResourcePath answers as the slice-based parse for every path shape, method and watch parameter', () => {
  let n = 0;
  for (const p of prefixes) {
    for (const t of tails) {
      for (const m of methods) {
        for (const w of [false, true]) {
          const path = p + t;
          const got: RequestInfo | undefined | 'badMethod' = parseResourcePath(m, path, w);
          assert.deepStrictEqual(got, referenceParse(m, path, w), `${m} ${path} watch=${w}`);
          // same members in the same order (what a spread or JSON of the info shows)
          if (got && got !== 'badMethod') assert.deepStrictEqual(Object.keys(got), Object.keys(referenceParse(m, path, w) as RequestInfo));
          n++;
        }
      }
    }
  }
  assert.ok(n > 1000);
});
