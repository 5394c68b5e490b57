// Patches through kubectl (label, annotate, patch of every type, set image/env, scale, cordon,
// uncordon, taint) and bad patches: malformed documents, immutable fields, unknown content type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, hasKubectl, type Cluster } from './harness.ts';

let c: Cluster;
const skip = !hasKubectl;
const DEP = '/apis/apps/v1/namespaces/default/deployments/web';
const POD = '/api/v1/namespaces/default/pods/p1';

before(async () => {
  c = await startCluster();
  await c.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
  await c.ok(['run', 'p1', '--image=busybox', '--', 'sleep', '3600']);
  await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
});
after(async () => {
  await c?.close();
});

test('label and annotate (merge patches) change metadata; --overwrite and removal', { skip }, async () => {
  assert.match(await c.ok(['label', 'deploy', 'web', 'tier=fe']), /deployment\.apps\/web labeled/);
  assert.match(await c.ok(['annotate', 'deploy', 'web', 'note=hello']), /annotated/);
  let d = await c.get(DEP);
  assert.equal(d.metadata.labels.tier, 'fe');
  assert.equal(d.metadata.annotations.note, 'hello');
  const clash = await c.kubectl(['label', 'deploy', 'web', 'tier=be']);
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, /'tier' already has a value \(fe\), and --overwrite is false/);
  await c.ok(['label', 'deploy', 'web', 'tier-']);
  d = await c.get(DEP);
  assert.equal(d.metadata.labels.tier, undefined);
});

test('patch: strategic (containers merged by name), merge, and json types', { skip }, async () => {
  await c.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
  let d = await c.get(DEP);
  // A new element goes before the existing ones, as in Kubernetes' own docs for kubectl patch.
  assert.deepEqual(d.spec.template.spec.containers.map((x: any) => x.name), ['sidecar', 'nginx']);
  await c.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}']);
  d = await c.get(DEP);
  assert.deepEqual(d.spec.template.spec.containers.map((x: any) => x.name), ['nginx']);
  await c.ok(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"minReadySeconds":5}}']);
  await c.ok(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/labels/j","value":"p"}]']);
  d = await c.get(DEP);
  assert.equal(d.spec.minReadySeconds, 5);
  assert.equal(d.spec.replicas, 3);
  assert.equal(d.metadata.labels.j, 'p');
  assert.ok(d.metadata.managedFields.some((m: any) => m.manager === 'kubectl-patch' && m.operation === 'Update'));
});

test('set image and set env patch the container (strategic merge with $setElementOrder)', { skip }, async () => {
  assert.match(await c.ok(['set', 'image', 'deploy/web', 'nginx=nginx:1.27']), /image updated/);
  assert.match(await c.ok(['set', 'env', 'deploy/web', 'A=1', 'B=2']), /env updated/);
  await c.ok(['set', 'env', 'deploy/web', 'A-']);
  const d = await c.get(DEP);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'B', value: '2' }]);
  assert.ok(d.metadata.generation >= 4, 'spec changes bump generation');
});

test('scale patches /scale; --current-replicas uses PUT', { skip }, async () => {
  assert.match(await c.ok(['scale', 'deploy', 'web', '--replicas=6']), /deployment\.apps\/web scaled/);
  assert.equal((await c.get(DEP)).spec.replicas, 6);
  const wrong = await c.kubectl(['scale', 'deploy', 'web', '--current-replicas=2', '--replicas=1']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /Expected replicas to be 2, was 6/);
  await c.ok(['scale', 'deploy', 'web', '--current-replicas=6', '--replicas=1']);
  assert.equal((await c.get(DEP)).spec.replicas, 1);
});

test('cordon, uncordon and taint the node', { skip }, async () => {
  assert.match(await c.ok(['cordon', 'n1']), /node\/n1 cordoned/);
  assert.equal((await c.get('/api/v1/nodes/n1')).spec.unschedulable, true);
  assert.match(await c.ok(['get', 'node', 'n1']), /SchedulingDisabled/);
  assert.match(await c.ok(['uncordon', 'n1']), /node\/n1 uncordoned/);
  assert.equal((await c.get('/api/v1/nodes/n1')).spec.unschedulable, undefined);
  assert.match(await c.ok(['taint', 'nodes', 'n1', 'dedicated=gpu:NoSchedule']), /node\/n1 tainted/);
  assert.deepEqual((await c.get('/api/v1/nodes/n1')).spec.taints, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
  await c.ok(['taint', 'nodes', 'n1', 'dedicated:NoSchedule-']);
  assert.equal((await c.get('/api/v1/nodes/n1')).spec.taints, undefined);
});

test('a JSON patch that does not apply prints Kubernetes\' message and writes nothing', { skip }, async () => {
  const before = await c.get(DEP);
  for (const ops of ['[{"op":"replace","path":"/spec/x/y","value":1}]', '[{"op":"test","path":"/spec/replicas","value":99},{"op":"replace","path":"/spec/replicas","value":9}]']) {
    const r = await c.kubectl(['patch', 'deploy', 'web', '--type=json', '-p', ops]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'The request is invalid: the server rejected our request due to an error in our request');
  }
  assert.equal((await c.get(DEP)).metadata.resourceVersion, before.metadata.resourceVersion);
});

test('immutable fields: metadata.name, a Deployment selector, pod spec fields', { skip }, async () => {
  const name = await c.kubectl(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"name":"other"}}']);
  assert.match(name.stderr, /Error from server \(BadRequest\): the name of the object \(other\) does not match the name on the URL \(web\)/);
  const sel = await c.kubectl(['patch', 'deploy', 'web', '-p', '{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}']);
  assert.match(sel.stderr, /The Deployment "web" is invalid: spec\.selector: Invalid value: .*field is immutable/);
  const pod = await c.kubectl(['patch', 'pod', 'p1', '-p', '{"spec":{"restartPolicy":"Never"}}']);
  assert.match(pod.stderr, /The Pod "p1" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
  // Image changes are allowed.
  await c.ok(['patch', 'pod', 'p1', '-p', '{"spec":{"containers":[{"name":"p1","image":"busybox:2"}]}}']);
  assert.equal((await c.get(POD)).spec.containers[0].image, 'busybox:2');
});

test('malformed patch bodies answer a Status with the right code and write nothing', async () => {
  const rv = (await c.get(DEP)).metadata.resourceVersion;
  const cases: [string, string, number, RegExp][] = [
    ['application/strategic-merge-patch+json', '{bad', 400, /^invalid character 'b' looking for beginning of object key string$/],
    ['application/strategic-merge-patch+json', '[1]', 400, /^json: cannot unmarshal array into Go value of type map\[string\]interface \{\}$/],
    ['application/merge-patch+json', 'nope', 400, /^Invalid JSON Patch$/],
    ['application/json-patch+json', '{"op":"add"}', 400, /^json: cannot unmarshal object into Go value of type jsonpatch\.Patch$/],
    ['application/json-patch+json', '[{"op":"explode","path":"/spec"}]', 422, /^the server rejected our request due to an error in our request$/],
    ['application/strategic-merge-patch+json', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}', 400, /does not contain declared merge key: name/],
    ['application/apply-patch+yaml', 'a: [', 400, /^error decoding YAML/],
  ];
  for (const [ct, body, code, msg] of cases) {
    const q = ct.includes('apply') ? '?fieldManager=t' : '';
    const r = await c.http('PATCH', DEP + q, body, { 'content-type': ct });
    assert.equal(r.status, code, `${ct} ${body}: ${r.text}`);
    assert.equal(r.json.kind, 'Status');
    assert.match(r.json.message, msg, `${ct} ${body}`);
  }
  const unknown = await c.http('PATCH', DEP, '{}', { 'content-type': 'application/x-yaml-patch' });
  assert.equal(unknown.status, 415);
  assert.equal(unknown.json.reason, 'UnsupportedMediaType');
  assert.match(unknown.json.message, /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml, application\/strategic-merge-patch\+json/);
  assert.equal((await c.get(DEP)).metadata.resourceVersion, rv);
});

test('server-side apply: a body naming another object is 400, a stale resourceVersion is 409', async () => {
  const ct = { 'content-type': 'application/apply-patch+yaml' };
  const url = '/api/v1/namespaces/default/configmaps/ssa-checks?fieldManager=t';
  const created = await c.http('PATCH', url, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-checks' }, data: { x: '1' } }, ct);
  assert.equal(created.status, 201, created.text);
  const other = await c.http('PATCH', url, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' }, data: { x: '2' } }, ct);
  assert.equal(other.status, 400);
  assert.equal(other.json.message, 'the name of the object (other) does not match the name on the URL (ssa-checks)');
  const stale = await c.http('PATCH', url, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-checks', resourceVersion: '1' }, data: { x: '3' } }, ct);
  assert.equal(stale.status, 409);
  assert.match(stale.json.message, /the object has been modified/);
  assert.equal((await c.get('/api/v1/namespaces/default/configmaps/ssa-checks')).data.x, '1');
});
