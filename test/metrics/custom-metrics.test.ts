// custom.metrics.k8s.io/v1beta2 and external.metrics.k8s.io/v1beta1 served in-process from
// annotations and a ConfigMap: shapes as the adapters answer, workload shares over ready pods,
// selectors, 404s, discovery and the APIServices.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { milliString, parseSeries } from '../../src/apiserver/custommetrics/values.ts';
import { eventually } from '../helpers/eventually.ts';

const quiet = pino({ level: 'silent' });
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const RS = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true };
const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const CM = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const CUSTOM = '/apis/custom.metrics.k8s.io/v1beta2';
const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1';

let api: RunningApiServer;
let client: Client;

async function raw(path: string, method = 'GET'): Promise<{ status: number; body: any }> {
  const res = await fetch(api.url + path, { method });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const container = [{ name: 'app', image: 'nginx' }];

async function pod(name: string, labels: Record<string, string>, ready: boolean, extra: any = {}) {
  const p = await client.resource(PODS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, ...extra }, spec: { containers: container } }, { namespace: 'default' });
  await client.resource(PODS).updateStatus({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, { namespace: 'default' });
}

before(async () => {
  api = await startApiServer({ port: 0, logger: quiet });
  client = new Client({ server: api.url, qps: 0 });
  const tmpl = { metadata: { labels: { app: 'web' } }, spec: { containers: container } };
  const dep = await client.resource(DEPLOY).create(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations: { 'kubesim.io/metric-requests_per_second': '300' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: tmpl } },
    { namespace: 'default' },
  );
  const rs = await client.resource(RS).create(
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid!, controller: true }] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: tmpl },
    },
    { namespace: 'default' },
  );
  const owner = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: rs.metadata.uid, controller: true }] };
  await pod('web-a', { app: 'web' }, true, owner);
  await pod('web-b', { app: 'web' }, true, owner);
  await pod('web-c', { app: 'web' }, false, owner);
  await pod('solo', { app: 'solo' }, true, { annotations: { 'kubesim.io/metric-requests_per_second': '1500m' } });
  await client.resource(CM).create(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubesim-external-metrics' }, data: { queue_messages_ready: '{queue=orders} 30\n{queue=billing} 12\n', plain: '7' } },
    { namespace: 'kube-system' },
  );
});

after(async () => {
  client.close();
  await api.close();
});

test('values print as NewMilliQuantity; series lines with and without labels', () => {
  assert.equal(milliString(30_000), '30');
  assert.equal(milliString(1500), '1500m');
  assert.deepEqual(parseSeries('{queue="a", x=b} 5\n# comment\n\nsine(1,2,1m)'), [
    { labels: { queue: 'a', x: 'b' }, pattern: '5' },
    { labels: {}, pattern: 'sine(1,2,1m)' },
  ]);
});

test('pods/*/<metric>: a pod annotation, and a Deployment total spread over its ready pods (0 for the unready one)', async () => {
  const r = await raw(`${CUSTOM}/namespaces/default/pods/*/requests_per_second`);
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, 'MetricValueList');
  assert.equal(r.body.apiVersion, 'custom.metrics.k8s.io/v1beta2');
  const byName = Object.fromEntries(r.body.items.map((i: any) => [i.describedObject.name, i]));
  assert.deepEqual(Object.keys(byName).sort(), ['solo', 'web-a', 'web-b', 'web-c']);
  assert.equal(byName['web-a'].value, '150');
  assert.equal(byName['web-b'].value, '150');
  assert.equal(byName['web-c'].value, '0');
  assert.equal(byName.solo.value, '1500m');
  assert.deepEqual(byName.solo.describedObject, { kind: 'Pod', namespace: 'default', name: 'solo', apiVersion: 'v1' });
  assert.deepEqual(byName.solo.metric, { name: 'requests_per_second' });
  assert.equal(byName.solo.windowSeconds, 15);
  assert.match(byName.solo.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const sel = await raw(`${CUSTOM}/namespaces/default/pods/*/requests_per_second?labelSelector=app%3Dsolo&metricLabelSelector=verb%3DGET`);
  assert.deepEqual(sel.body.items.map((i: any) => i.describedObject.name), ['solo']);
  assert.deepEqual(sel.body.items[0].metric, { name: 'requests_per_second', selector: { matchLabels: { verb: 'GET' } } });
});

test('Object metrics: <resource>.<group>/<name>/<metric> from the object annotation; 404s as the adapters word them', async () => {
  const r = await raw(`${CUSTOM}/namespaces/default/deployments.apps/web/requests_per_second`);
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 1);
  assert.deepEqual(r.body.items[0].describedObject, { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' });
  assert.equal(r.body.items[0].value, '300');
  const missing = await raw(`${CUSTOM}/namespaces/default/deployments.apps/web/nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.kind, 'Status');
  assert.equal(missing.body.message, 'the server could not find the metric nope for deployments.apps web');
  assert.equal((await raw(`${CUSTOM}/namespaces/default/deployments.apps/absent/requests_per_second`)).status, 404);
  assert.equal((await raw(`${CUSTOM}/namespaces/default/widgets.example.com/x/m`)).status, 404);
  assert.equal((await raw(`${CUSTOM}/namespaces/default/pods/*/m`, 'DELETE')).status, 405);
});

test('external metrics from the ConfigMap, one item per series, labelSelector on the series labels', async () => {
  const r = await raw(`${EXTERNAL}/namespaces/default/queue_messages_ready`);
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, 'ExternalMetricValueList');
  assert.deepEqual(
    r.body.items.map((i: any) => [i.metricName, i.metricLabels, i.value, i.window]),
    [
      ['queue_messages_ready', { queue: 'orders' }, '30', 15],
      ['queue_messages_ready', { queue: 'billing' }, '12', 15],
    ],
  );
  const sel = await raw(`${EXTERNAL}/namespaces/default/queue_messages_ready?labelSelector=queue%3Dorders`);
  assert.deepEqual(sel.body.items.map((i: any) => i.value), ['30']);
  assert.deepEqual((await raw(`${EXTERNAL}/namespaces/other/plain`)).body.items.map((i: any) => [i.metricLabels, i.value]), [[{}, '7']]);
  const missing = await raw(`${EXTERNAL}/namespaces/default/nothing_here`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, 'the server could not find the metric nothing_here in namespace default');
});

test('discovery lists both groups; APIServices v1beta2.custom.metrics.k8s.io and v1beta1.external.metrics.k8s.io are Available', async () => {
  const groups = (await raw('/apis')).body.groups.map((g: any) => [g.name, g.preferredVersion.version]);
  assert.ok(groups.some(([n, v]: string[]) => n === 'custom.metrics.k8s.io' && v === 'v1beta2'));
  assert.ok(groups.some(([n, v]: string[]) => n === 'external.metrics.k8s.io' && v === 'v1beta1'));
  const d = await raw(CUSTOM);
  assert.equal(d.status, 200);
  assert.equal(d.body.groupVersion, 'custom.metrics.k8s.io/v1beta2');
  for (const name of ['v1beta2.custom.metrics.k8s.io', 'v1beta1.external.metrics.k8s.io']) {
    const s = (await raw(`/apis/apiregistration.k8s.io/v1/apiservices/${name}`)).body;
    assert.equal(s.metadata.name, name);
    assert.equal(s.status.conditions[0].type, 'Available');
    assert.equal(s.status.conditions[0].status, 'True');
  }
});

const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false };
const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };

test('discovery lists one resource per metric and group resource, as the adapters do', async () => {
  await client.resource(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: { 'kubesim.io/metric-node_temperature': '61' } } });
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', annotations: { 'kubesim.io/metric-queue_depth': '42' } } });
  const d = await raw(CUSTOM);
  assert.equal(d.status, 200);
  assert.equal(d.body.kind, 'APIResourceList');
  assert.equal(d.body.groupVersion, 'custom.metrics.k8s.io/v1beta2');
  const entry = (name: string, namespaced: boolean) => ({ name, singularName: '', namespaced, kind: 'MetricValueList', verbs: ['get'] });
  assert.deepEqual(d.body.resources, [
    entry('deployments.apps/requests_per_second', true),
    entry('namespaces/queue_depth', false),
    entry('nodes/node_temperature', false),
    entry('pods/requests_per_second', true), // the solo pod's own, and the Deployment's share
  ]);
});

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

test('aggregated discovery lists the metric resources as the per-version discovery does, and follows annotation changes', async () => {
  const aggregated = async () => {
    const res = await fetch(api.url + '/apis', { headers: { Accept: `${AGGREGATED},application/json` } });
    assert.equal(res.headers.get('content-type'), AGGREGATED);
    const group = ((await res.json()) as any).items.find((i: any) => i.metadata.name === 'custom.metrics.k8s.io');
    assert.deepEqual(group.versions.map((v: any) => v.version), ['v1beta2']);
    return group.versions[0].resources.flatMap((r: any) => (r.subresources ?? []).map((sub: any) => `${r.resource}/${sub.subresource} ${r.scope}`)).sort();
  };
  const perVersion = async () => (await raw(CUSTOM)).body.resources.map((r: any) => `${r.name} ${r.namespaced ? 'Namespaced' : 'Cluster'}`).sort();
  const before = await perVersion();
  assert.ok(before.includes('nodes/node_temperature Cluster') && before.includes('pods/requests_per_second Namespaced'), before.join());
  assert.deepEqual(await aggregated(), before);
  await client.resource(CM).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gauge', annotations: { 'kubesim.io/metric-queue_length': '7' } } }, { namespace: 'default' });
  await eventually(async () => (await perVersion()).includes('configmaps/queue_length Namespaced'), 'per-version discovery lists configmaps/queue_length');
  assert.deepEqual(await aggregated(), await perVersion());
  await client.resource(CM).delete('gauge', { namespace: 'default' });
  await eventually(async () => !(await aggregated()).includes('configmaps/queue_length Namespaced'), 'aggregated discovery drops configmaps/queue_length');
  assert.deepEqual(await perVersion(), before);
});

test('root-scoped objects: nodes/<name|*>/<metric> and namespaces/<ns>/metrics/<metric>', async () => {
  const node = await raw(`${CUSTOM}/nodes/n1/node_temperature`);
  assert.equal(node.status, 200, JSON.stringify(node.body));
  assert.deepEqual(node.body.items.map((i: any) => [i.describedObject, i.value]), [[{ kind: 'Node', name: 'n1', apiVersion: 'v1' }, '61']]);
  assert.deepEqual((await raw(`${CUSTOM}/nodes/*/node_temperature`)).body.items.map((i: any) => i.describedObject.name), ['n1']);
  const ns = await raw(`${CUSTOM}/namespaces/team-a/metrics/queue_depth`);
  assert.equal(ns.status, 200);
  assert.deepEqual(ns.body.items.map((i: any) => [i.describedObject, i.value]), [[{ kind: 'Namespace', name: 'team-a', apiVersion: 'v1' }, '42']]);
  const cases: [string, number, string?][] = [
    [`${CUSTOM}/nodes/n1/nope`, 404, 'the server could not find the metric nope for nodes n1'],
    [`${CUSTOM}/nodes/absent/node_temperature`, 404, 'the server could not find the metric node_temperature for nodes absent'],
    [`${CUSTOM}/namespaces/default/metrics/queue_depth`, 404, 'the server could not find the metric queue_depth for namespaces default'],
    [`${CUSTOM}/pods/x/requests_per_second`, 404, 'the server could not find the metric requests_per_second for pods'], // pods are namespaced
    [`${CUSTOM}/namespaces/default/nodes/n1/node_temperature`, 404], // nodes are not
  ];
  for (const [path, code, message] of cases) {
    const r = await raw(path);
    assert.equal(r.status, code, path);
    assert.equal(r.body.kind, 'Status', path);
    if (message) assert.equal(r.body.message, message, path);
  }
});

test('kubectl get --raw shows the metric resources and a node metric', { skip: !existsSync('/usr/bin/kubectl') }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-cm-'));
  const kubectl = (path: string) =>
    new Promise<any>((resolve, reject) =>
      execFile('/usr/bin/kubectl', ['--server', api.url, 'get', '--raw', path], { env: { PATH: '/usr/bin', HOME: home }, timeout: 30_000 }, (err, out, errOut) => (err ? reject(new Error(String(errOut))) : resolve(JSON.parse(String(out))))),
    );
  try {
    const list = await kubectl(CUSTOM);
    assert.ok(list.resources.some((r: any) => r.name === 'nodes/node_temperature' && r.namespaced === false));
    assert.ok(list.resources.some((r: any) => r.name === 'pods/requests_per_second' && r.namespaced === true));
    assert.equal((await kubectl(`${CUSTOM}/nodes/n1/node_temperature`)).items[0].value, '61');
    // kubectl reads the aggregated discovery (metric parents without verbs or kind) without complaint
    await new Promise<string>((resolve, reject) =>
      execFile('/usr/bin/kubectl', ['--server', api.url, 'api-resources', '--api-group=custom.metrics.k8s.io', '-o', 'name'], { env: { PATH: '/usr/bin', HOME: home }, timeout: 30_000 }, (err, out, errOut) => (err ? reject(new Error(String(errOut))) : resolve(String(out)))),
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
