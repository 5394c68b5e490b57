// Real kubectl against the prometheus-operator CRDs (the 830 KB prometheuses CRD with CEL rules
// included): apply --server-side, wait for Established, get (short names, categories, printer
// columns, -o wide), explain, scale, a CR that violates the schema, and CRD deletion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, rows, startCluster, type Cluster } from '../kubectl/harness.ts';

const FIXTURES = '/work/shared/fixtures/crds';
let c: Cluster;

before(async () => {
  if (hasKubectl) c = await startCluster();
});
after(() => c?.close());

test('prometheus-operator CRDs apply server-side and their examples are accepted', { skip: !hasKubectl }, async () => {
  const out = await c.ok(['apply', '--server-side', '-f', FIXTURES]);
  assert.match(out, /customresourcedefinition.apiextensions.k8s.io\/prometheuses.monitoring.coreos.com serverside-applied/);
  await c.ok(['wait', '--for', 'condition=established', '--timeout=10s', 'crd', '--all']);
  const crds = rows(await c.ok(['get', 'crd']));
  assert.deepEqual(crds[0], ['NAME', 'CREATED AT']);
  assert.deepEqual(crds.slice(1).map((r) => r[0]), ['podmonitors.monitoring.coreos.com', 'prometheuses.monitoring.coreos.com', 'prometheusrules.monitoring.coreos.com', 'servicemonitors.monitoring.coreos.com']);
  const stored = await c.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/prometheuses.monitoring.coreos.com');
  assert.equal(stored.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined, 'server-side apply writes no last-applied annotation');
  assert.match(await c.ok(['apply', '--server-side', '-f', `${FIXTURES}/examples`]), /prometheus.monitoring.coreos.com\/prometheus serverside-applied/);
});

test('get by plural, short name and category; printer columns; -o wide', { skip: !hasKubectl }, async () => {
  const prom = rows(await c.ok(['get', 'prometheuses']));
  assert.deepEqual(prom[0], ['NAME', 'VERSION', 'DESIRED', 'READY', 'RECONCILED', 'AVAILABLE', 'AGE']);
  assert.equal(prom[1][0], 'prometheus');
  const wide = rows(await c.ok(['get', 'prom', '-o', 'wide']));
  assert.deepEqual(wide[0], ['NAME', 'VERSION', 'DESIRED', 'READY', 'RECONCILED', 'AVAILABLE', 'AGE', 'PAUSED']);
  const cat = await c.ok(['get', 'prometheus-operator']);
  for (const r of ['podmonitor.monitoring.coreos.com/example-app', 'servicemonitor.monitoring.coreos.com/example-app', 'prometheus.monitoring.coreos.com/prometheus']) assert.ok(cat.includes(r), r);
  assert.match(await c.ok(['get', 'smon', 'example-app', '-o', 'jsonpath={.spec.endpoints[0].port}']), /^web$/);
});

test('explain reads the CRD schema from OpenAPI', { skip: !hasKubectl }, async () => {
  const out = await c.ok(['explain', 'prometheus.spec.replicas']);
  assert.match(out, /KIND:\s+Prometheus/);
  assert.match(out, /FIELD: replicas <integer>/);
  assert.match(out, /replicas defines the number of replicas of each shard/);
  const spec = await c.ok(['explain', 'servicemonitors.spec']);
  assert.match(spec, /endpoints\s+<\[\]Object>/);
});

test('scale through the scale subresource; a schema violation is the 422 Kubernetes gives', { skip: !hasKubectl }, async () => {
  assert.match(await c.ok(['scale', 'prometheus/prometheus', '--replicas=3']), /prometheus.monitoring.coreos.com\/prometheus scaled/);
  assert.equal(await c.ok(['get', 'prometheus', 'prometheus', '-o', 'jsonpath={.spec.shards}']), '3');
  const bad = await c.kubectl(['patch', 'prometheus', 'prometheus', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":{}}}}']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), 'The Prometheus "prometheus" is invalid: spec.updateStrategy: Invalid value: "object": rollingUpdate requires type to be RollingUpdate');
  const typed = await c.kubectl(['patch', 'prometheus', 'prometheus', '--type=merge', '-p', '{"spec":{"replicas":"two"}}']);
  assert.match(typed.stderr, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
  const smp = await c.kubectl(['patch', 'prometheus', 'prometheus', '-p', '{"spec":{"replicas":2}}']);
  assert.match(smp.stderr, /application\/strategic-merge-patch\+json is not supported by monitoring.coreos.com\/v1, Kind=Prometheus/);
});

test('deleting a CRD takes its objects with it', { skip: !hasKubectl }, async () => {
  await c.ok(['delete', 'crd', 'podmonitors.monitoring.coreos.com', '--timeout=20s']);
  assert.equal(await c.get('/apis/monitoring.coreos.com/v1/namespaces/default/podmonitors/example-app'), undefined);
  const r = await c.kubectl(['get', 'podmonitors']);
  assert.notEqual(r.code, 0);
});

test('client-side apply of the 830 KB CRD fails on the last-applied annotation, as with Kubernetes', { skip: !hasKubectl }, async () => {
  const r = await c.kubectl(['apply', '-f', `${FIXTURES}/monitoring.coreos.com_prometheuses.yaml`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /metadata\.annotations: Too long: must have at most 262144 bytes/);
  const stored = await c.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/prometheuses.monitoring.coreos.com');
  assert.equal(stored.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
});

test('client-side apply of a custom resource sends a JSON merge patch (the OpenAPI patch operation lists no strategic merge)', { skip: !hasKubectl }, async () => {
  const m = (team: string, interval: string) => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: client-side
  labels:
    team: ${team}
spec:
  selector:
    matchLabels:
      app: x
  endpoints:
  - port: web
    interval: ${interval}
`;
  assert.match(await c.ok(['apply', '-f', '-'], { stdin: m('a', '10s') }), /servicemonitor.monitoring.coreos.com\/client-side created/);
  assert.match(await c.ok(['apply', '-f', '-'], { stdin: m('b', '30s') }), /servicemonitor.monitoring.coreos.com\/client-side configured/);
  assert.equal(await c.ok(['get', 'smon', 'client-side', '-o', 'jsonpath={.metadata.labels.team} {.spec.endpoints[0].interval}']), 'b 30s');
});
