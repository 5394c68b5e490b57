// The scope label of apiserver_request_duration_seconds (Kubernetes' CleanScope), table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath, requestScope } from '../../src/apiserver/routing.ts';

const cases: [method: string, path: string, scope: string][] = [
  ['GET', '/api/v1/namespaces/default/pods/p', 'resource'],
  ['POST', '/api/v1/namespaces/default/pods', 'resource'],
  ['PUT', '/apis/apps/v1/namespaces/a/deployments/d/scale', 'resource'],
  ['DELETE', '/api/v1/namespaces/x', 'resource'],
  ['GET', '/api/v1/namespaces/default/pods', 'namespace'],
  ['DELETE', '/api/v1/namespaces/default/configmaps', 'namespace'],
  ['GET', '/api/v1/pods', 'cluster'],
  ['GET', '/api/v1/nodes', 'cluster'],
  ['POST', '/api/v1/nodes', 'resource'],
];

for (const [method, path, scope] of cases) {
  test(`scope of ${method} ${path} is ${scope}`, () => {
    const info = parseResourcePath(method, path, false);
    assert.ok(info && info !== 'badMethod');
    assert.equal(requestScope(info), scope);
  });
}
