// kubectl version, api-resources, api-versions, explain against kubesim.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, hasKubectl, rows, type Cluster } from './harness.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.close();
});

test('kubectl version reports the server version', { skip: !hasKubectl }, async () => {
  const out = await c.ok(['version']);
  assert.match(out, /Server Version: v1\.32\./);
});

test('api-resources lists every kind with short names, scope and kind', { skip: !hasKubectl }, async () => {
  const out = await c.ok(['api-resources']);
  const byName = new Map(rows(out).slice(1).map((r) => [`${r[0]} ${r.at(-3)}`, r]));
  const pods = byName.get('pods v1')!;
  assert.deepEqual(pods, ['pods', 'po', 'v1', 'true', 'Pod']);
  assert.deepEqual(byName.get('deployments apps/v1'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
  assert.deepEqual(byName.get('nodes v1'), ['nodes', 'no', 'v1', 'false', 'Node']);
  for (const want of ['services', 'configmaps', 'namespaces', 'replicasets', 'leases', 'events', 'horizontalpodautoscalers', 'jobs', 'daemonsets']) {
    assert.ok([...byName.keys()].some((k) => k.startsWith(`${want} `)), `${want} listed`);
  }
  const wide = await c.ok(['api-resources', '-o', 'wide', '--api-group=apps']);
  assert.match(wide, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all/);
  const categories = await c.ok(['api-resources', '--categories=all', '-o', 'name']);
  assert.ok(categories.split('\n').includes('pods'));
  assert.ok(categories.split('\n').includes('deployments.apps'));
});

test('api-versions lists the served group-versions', { skip: !hasKubectl }, async () => {
  const out = (await c.ok(['api-versions'])).trim().split('\n');
  for (const gv of ['v1', 'apps/v1', 'batch/v1', 'coordination.k8s.io/v1', 'events.k8s.io/v1', 'autoscaling/v2']) assert.ok(out.includes(gv), gv);
});

test('explain pod.spec.containers prints field descriptions from OpenAPI v3', { skip: !hasKubectl }, async () => {
  const out = await c.ok(['explain', 'pod.spec.containers']);
  assert.match(out, /KIND:\s+Pod/);
  assert.match(out, /VERSION:\s+v1/);
  assert.match(out, /FIELD: containers <\[\]Container>/);
  assert.match(out, /\n  env\t<\[\]EnvVar>/);
  assert.match(out, /\n  image\t<string>/);
  const rec = await c.ok(['explain', 'deployment.spec.replicas']);
  assert.match(rec, /GROUP:\s+apps/);
  const tpl = await c.ok(['explain', 'deployment.spec.template']);
  assert.match(tpl, /FIELD: template <PodTemplateSpec>/);
  assert.match(tpl, /\n  spec\t<PodSpec>/);
});

test('discovery answers both aggregated and legacy forms over HTTP', async () => {
  const agg = await c.http('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  assert.equal(agg.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  assert.equal(agg.json.kind, 'APIGroupDiscoveryList');
  const legacy = await c.http('GET', '/api/v1', undefined, { accept: 'application/json' });
  assert.equal(legacy.json.kind, 'APIResourceList');
  assert.ok(legacy.json.resources.some((r: any) => r.name === 'pods/log'));
});
