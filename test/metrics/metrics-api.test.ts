// metrics.k8s.io/v1beta1 served by the API server from its background scrape of the node pool's
// kubelet server: shapes as metrics-server's, selectors, 404s, read-only verbs, the APIService.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client, inProcessTransport } from '../../src/client/index.ts';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { cpuQuantity, durationString, memoryQuantity, podMetricsItemJson, podMetricsItemJsonOf, podMetricsItemValueOf, podMetricsObject, rfc3339, samplesFromSummary, type PodSample } from '../../src/apiserver/resourcemetrics/index.ts';
import { groupResourceOfKey } from '../../src/apiserver/custommetrics/catalog.ts';

const quiet = pino({ level: 'silent' });
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const NODE_METRICS = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes', namespaced: false };
const POD_METRICS = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespaced: true };

let api: RunningApiServer;
let client: Client;
let pool: NodePool;

async function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(api.url + path, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  api = await startApiServer({ port: 0, logger: quiet, metricResolutionMs: 300 });
  client = new Client({ server: api.url, qps: 0 });
  pool = await startNodePool({ client, count: 2, logger: quiet, timings: { pullMs: 10, createMs: 10, startMs: 10 } });
  for (const [name, node, usage, labels] of [
    ['busy', 'node-0', 'cpu=250m,memory=64Mi', { app: 'web' }],
    ['idle', 'node-1', 'cpu=10m,memory=16Mi', { app: 'db' }],
  ] as const)
    await client.resource(PODS).create(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, annotations: { 'kubesim.io/cpu-pattern': usage.split(',')[0].slice(4), 'kubesim.io/memory-pattern': usage.split(',')[1].slice(7) } }, spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'busybox' }] } },
      { namespace: 'default' },
    );
});

after(async () => {
  await pool.stop();
  client.close();
  await api.close();
});

test('quantities and windows print as metrics-server prints them', () => {
  assert.equal(cpuQuantity(246112926), '246112926n');
  assert.equal(cpuQuantity(250_000_000), '250m');
  assert.equal(cpuQuantity(2_000_000_000), '2');
  assert.equal(cpuQuantity(0), '0');
  assert.equal(memoryQuantity(12144 * 1024), '12144Ki');
  assert.equal(memoryQuantity(64 * 2 ** 20), '64Mi');
  assert.equal(durationString(15_000), '15s');
  assert.equal(durationString(1_500), '1.5s');
  assert.equal(durationString(300), '300ms');
  assert.equal(durationString(90_000), '1m30s');
});

test("a list item's JSON text is the PodMetrics object without kind and apiVersion, member for member", () => {
  const now = Date.parse('2026-01-01T00:01:00.700Z');
  const sample = (containers: PodSample['containers'], timestampMs = Date.parse('2026-01-01T00:00:59.400Z')): PodSample => ({ namespace: 'd', name: 'p', timestampMs, windowMs: 15_000, containers });
  const cases: { name: string; s: PodSample; labels?: Record<string, string> }[] = [
    { name: 'one container, labels', s: sample([{ name: 'app', cpuNanoCores: 246112926, memoryBytes: 12144 * 1024 }]), labels: { app: 'web', 'x/y': 'a"b' } },
    { name: 'no labels', s: sample([{ name: 'app', cpuNanoCores: 0, memoryBytes: 0 }]) },
    { name: 'two containers, another second', s: sample([{ name: 'a', cpuNanoCores: 2e9, memoryBytes: 64 * 2 ** 20 }, { name: 'b', cpuNanoCores: 1e6, memoryBytes: 4096 }], now - 20_000) },
  ];
  for (const c of cases) {
    const { kind, apiVersion, ...item } = podMetricsObject(c.s, c.labels, now);
    assert.equal(kind, 'PodMetrics');
    assert.equal(apiVersion, 'metrics.k8s.io/v1beta1');
    assert.equal(podMetricsItemJson(c.s, c.labels, rfc3339(now)), JSON.stringify(item), c.name);
    assert.equal(podMetricsItemJson(c.s, c.labels, rfc3339(now)), JSON.stringify(item), `${c.name} (cached usage)`);
    // from the pod's metadata (frozen as the watch cache's: its text around the usage is remembered)
    const meta = Object.freeze({ name: c.s.name, namespace: c.s.namespace, ...(c.labels ? { labels: Object.freeze({ ...c.labels }) } : {}) });
    for (const when of [now, now + 61_000]) {
      const { kind: _k, apiVersion: _v, ...at } = podMetricsObject(c.s, c.labels, when);
      assert.equal(podMetricsItemJsonOf(c.s, meta, rfc3339(when)), JSON.stringify(at), `${c.name} from its metadata at ${when}`);
      assert.equal(JSON.stringify(podMetricsItemValueOf(c.s, meta, rfc3339(when))), podMetricsItemJsonOf(c.s, meta, rfc3339(when)), `${c.name}: the value an in-process client takes is the text, member for member`);
    }
  }
  // a pod's next version (a new metadata object) with other labels: its own text, not the remembered one
  const s = cases[0].s;
  const v1 = Object.freeze({ name: s.name, namespace: s.namespace, labels: Object.freeze({ app: 'web' }) });
  const v2 = Object.freeze({ name: s.name, namespace: s.namespace, labels: Object.freeze({ app: 'api' }) });
  const unfrozen: { name: string; namespace: string; labels: Record<string, string> } = { name: s.name, namespace: s.namespace, labels: { app: 'a' } };
  const created = rfc3339(now);
  assert.match(podMetricsItemJsonOf(s, v1, created), /"labels":\{"app":"web"\}/);
  assert.match(podMetricsItemJsonOf(s, v2, created), /"labels":\{"app":"api"\}/);
  assert.match(podMetricsItemJsonOf(s, unfrozen, created), /"labels":\{"app":"a"\}/);
  unfrozen.labels = { app: 'b' };
  assert.match(podMetricsItemJsonOf(s, unfrozen, created), /"labels":\{"app":"b"\}/, 'an object that may change is not remembered');
});

test('timestamps are RFC 3339 to the second, whatever order they are asked in (two are remembered)', () => {
  const cases: [number, string][] = [
    [0, '1970-01-01T00:00:00Z'],
    [1500, '1970-01-01T00:00:01Z'],
    [Date.parse('2026-01-01T00:00:59.400Z'), '2026-01-01T00:00:59Z'],
    [999, '1970-01-01T00:00:00Z'],
    [1500, '1970-01-01T00:00:01Z'],
    [2000, '1970-01-01T00:00:02Z'],
    [0, '1970-01-01T00:00:00Z'],
  ];
  for (const [ms, want] of cases) assert.equal(rfc3339(ms), want, String(ms));
});

test('storage keys name their group resource', () => {
  const cases: [string, { group: string; plural: string } | undefined][] = [
    ['/registry/core/pods/default/web', { group: '', plural: 'pods' }],
    ['/registry/apps/deployments/default/web', { group: 'apps', plural: 'deployments' }],
    ['/registry/core/nodes/n1', { group: '', plural: 'nodes' }],
    ['/registry/core/', undefined],
    ['registry/core/pods/x', undefined],
    ['/other/core/pods/x', undefined],
  ];
  for (const [key, want] of cases) assert.deepEqual(groupResourceOfKey(key), want, key);
});

test('a summary with an incomplete container drops the pod; working sets are whole pages', () => {
  const t = '2026-01-01T00:00:10Z';
  const s = samplesFromSummary(
    {
      node: { nodeName: 'n', cpu: { time: t, usageNanoCores: 5e8 }, memory: { time: t, workingSetBytes: 4097 } },
      pods: [
        { podRef: { namespace: 'd', name: 'ok' }, containers: [{ name: 'a', cpu: { time: t, usageNanoCores: 1e6 }, memory: { workingSetBytes: 8192 } }] },
        { podRef: { namespace: 'd', name: 'partial' }, containers: [{ name: 'a', cpu: { usageNanoCores: 1 }, memory: { workingSetBytes: 1 } }, { name: 'b', memory: { workingSetBytes: 1 } }] },
      ],
    },
    0,
    15_000,
  );
  assert.deepEqual(s.node, { name: 'n', timestampMs: Date.parse(t), windowMs: 15_000, cpuNanoCores: 5e8, memoryBytes: 4096 });
  assert.deepEqual(s.pods.map((p) => p.name), ['ok']);
});

test('NodeMetrics: every node, with its labels, timestamp, window and usage', async () => {
  const list = await eventually(async () => {
    const l = await client.resource(NODE_METRICS).list();
    return l.items.length === 2 ? l : undefined;
  }, 'node metrics');
  const n: any = list.items[0];
  assert.equal(n.metadata.name, 'node-0');
  assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'node-0');
  assert.match(n.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(n.window, '300ms');
  assert.match(n.usage.cpu, /^\d+(n|u|m)?$/);
  assert.match(n.usage.memory, /^\d+(Ki|Mi)$/);
  const one = (await raw('/apis/metrics.k8s.io/v1beta1/nodes/node-1')).body;
  assert.equal(one.kind, 'NodeMetrics');
  assert.equal(one.apiVersion, 'metrics.k8s.io/v1beta1');
  const sel = await client.resource(NODE_METRICS).list({ labelSelector: 'kubernetes.io/hostname=node-1' });
  assert.deepEqual(sel.items.map((x) => x.metadata.name), ['node-1']);
  const missing = await raw('/apis/metrics.k8s.io/v1beta1/nodes/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, 'nodemetrics.metrics.k8s.io "nope" not found');
});

test('PodMetrics: per container, label and field selectors, namespaced and across namespaces', async () => {
  const busy: any = await eventually(async () => {
    const r = await raw('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy');
    return r.status === 200 ? r.body : undefined;
  }, 'busy pod metrics');
  assert.equal(busy.kind, 'PodMetrics');
  assert.deepEqual(busy.metadata.labels, { app: 'web' });
  assert.deepEqual(busy.containers.map((c: any) => c.name), ['app', 'side']);
  assert.equal(busy.containers[0].usage.cpu, '250m');
  assert.equal(busy.containers[0].usage.memory, '64Mi');
  await eventually(async () => ((await client.resource(POD_METRICS).list({ namespace: 'default' })).items.length === 2 ? true : undefined), 'both pods');
  const web = await client.resource(POD_METRICS).list({ namespace: 'default', labelSelector: 'app=web' });
  assert.deepEqual(web.items.map((x) => x.metadata.name), ['busy']);
  // selectors are compiled once per text: each text still answers its own pods, a second time too
  for (let i = 0; i < 2; i++) {
    assert.deepEqual((await client.resource(POD_METRICS).list({ namespace: 'default', labelSelector: 'app!=web' })).items.map((x) => x.metadata.name), ['idle'], `app!=web, list ${i + 1}`);
    assert.deepEqual((await client.resource(POD_METRICS).list({ namespace: 'default', labelSelector: 'app=web', fieldSelector: 'metadata.name=idle' })).items.map((x) => x.metadata.name), [], `app=web + name=idle, list ${i + 1}`);
    assert.deepEqual((await client.resource(POD_METRICS).list({ namespace: 'default', labelSelector: 'app=web' })).items.map((x) => x.metadata.name), ['busy'], `app=web, list ${i + 1}`);
  }
  const byName = await client.resource(POD_METRICS).list({ fieldSelector: 'metadata.name=idle' });
  assert.deepEqual(byName.items.map((x) => x.metadata.name), ['idle']);
  const other = await client.resource(POD_METRICS).list({ namespace: 'kube-system' });
  assert.equal(other.items.length, 0);
  const missing = await raw('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, 'podmetrics.metrics.k8s.io "default/nope" not found');
  const table = (await raw('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).body;
  assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'CPU', 'Memory', 'Window']);
});

test('the metrics API is read only; a bad selector is a 400', async () => {
  const post = await fetch(api.url + '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(post.status, 405);
  const watch = await raw('/apis/metrics.k8s.io/v1beta1/pods?watch=true');
  assert.equal(watch.status, 405);
  for (let i = 0; i < 2; i++) {
    const bad = await raw('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=a%20in');
    assert.equal(bad.status, 400, `bad selector, list ${i + 1}`);
  }
});

test('discovery lists metrics.k8s.io; the APIService v1beta1.metrics.k8s.io is Available', async () => {
  const groups = (await raw('/apis')).body;
  const g = groups.groups.find((x: any) => x.name === 'metrics.k8s.io');
  assert.deepEqual(g.preferredVersion, { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' });
  const res = (await raw('/apis/metrics.k8s.io/v1beta1')).body;
  assert.deepEqual(
    res.resources.map((r: any) => [r.name, r.kind, r.namespaced, r.verbs]),
    [
      ['nodes', 'NodeMetrics', false, ['get', 'list']],
      ['pods', 'PodMetrics', true, ['get', 'list']],
    ],
  );
  const svc = (await raw('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io')).body;
  assert.equal(svc.spec.group, 'metrics.k8s.io');
  assert.equal(svc.spec.version, 'v1beta1');
  assert.deepEqual(svc.status.conditions.map((c: any) => [c.type, c.status]), [['Available', 'True']]);
  const core = (await raw('/apis/apiregistration.k8s.io/v1/apiservices/v1.')).body;
  assert.equal(core.spec.version, 'v1');
  const bad = await fetch(api.url + '/apis/apiregistration.k8s.io/v1/apiservices', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.x.io' }, spec: { group: 'x.io', version: 'v1' } }),
  });
  assert.equal(bad.status, 422);
  const st: any = await bad.json();
  assert.deepEqual(st.details.causes.map((c: any) => c.field), ['spec.groupPriorityMinimum', 'spec.versionPriority']);
  assert.equal((await raw('/apis/apiregistration.k8s.io/v1/apiservices/v1.x.io')).status, 404);
});

test('a PodMetrics list reaches an in-process client as a value equal, member for member, to the HTTP answer', async () => {
  const lean = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server), qps: 0 });
  try {
    // a scrape or a second boundary between the two reads changes the answer: read until a pair agrees
    await eventually(async () => {
      const viaHttp = (await raw('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb')).body;
      const inProcess = await lean.resource(POD_METRICS).list({ namespace: 'default', labelSelector: 'app=web' });
      assert.equal(viaHttp.items.length, 1);
      assert.equal(JSON.stringify(inProcess), JSON.stringify(viaHttp));
      return true;
    }, 'an in-process and an HTTP PodMetrics list that agree', 10_000);
    const again: any = await lean.resource(POD_METRICS).list({ namespace: 'default' });
    again.items[0].containers[0].usage.cpu = 'changed';
    const fresh: any = await lean.resource(POD_METRICS).list({ namespace: 'default' });
    assert.notEqual(fresh.items[0].containers[0].usage.cpu, 'changed', "a client's copy is its own: the server's shared usage is untouched");
    // read-only (the HPA's list): the same members, deep-frozen, the usage shared rather than copied
    await eventually(async () => {
      const viaHttp = (await raw('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb')).body;
      const ro: any = await lean.resource(POD_METRICS).list({ namespace: 'default', labelSelector: 'app=web', readonly: true });
      assert.equal(JSON.stringify(ro), JSON.stringify(viaHttp));
      const deepFrozen = (v: unknown): boolean => v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(deepFrozen));
      assert.ok(deepFrozen(ro), 'a read-only answer is deep-frozen');
      assert.throws(() => (ro.items[0].containers[0].usage.cpu = 'changed'), TypeError);
      return true;
    }, 'a read-only PodMetrics list that agrees with the HTTP one', 10_000);
  } finally {
    lean.close();
  }
});
