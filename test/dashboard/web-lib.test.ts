// The dashboard's pure readings, run in node (they are browser ES modules without DOM use): the SSE
// parser, field diffs and writers, pod/node states, tile geometry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const web = join(import.meta.dirname, '../../web');
// Loaded by URL: plain JS modules of the browser, not compiled with the project.
const load = (f: string): Promise<any> => import(pathToFileURL(join(web, f)).href);

test('sseParser: fields, multi-line data, comments, CRLF, messages split across chunks', async () => {
  const { sseParser } = await load('lib/sse.js');
  const cases: [string[], { event: string; id?: string; data: string }[]][] = [
    [['id: 5\ndata: {"a":1}\nevent: ADDED\n\n'], [{ event: 'ADDED', id: '5', data: '{"a":1}' }]],
    [['data: x\n\n'], [{ event: 'message', id: undefined, data: 'x' }]],
    [[': keepalive\n\n'], []],
    [['data: a\ndata: b\n\n'], [{ event: 'message', id: undefined, data: 'a\nb' }]],
    [['id: 7\r\ndata: y\r\nevent: MODIFIED\r\n\r\n'], [{ event: 'MODIFIED', id: '7', data: 'y' }]],
    [['id: 1\nda', 'ta: {"x"', ':2}\nevent: DELETED\n', '\n'], [{ event: 'DELETED', id: '1', data: '{"x":2}' }]],
    [['data:nospace\n\ndata: two\n\n'], [{ event: 'message', id: undefined, data: 'nospace' }, { event: 'message', id: undefined, data: 'two' }]],
    [['event: ERROR\n\n'], []],
  ];
  for (const [chunks, want] of cases) {
    const got: unknown[] = [];
    const feed = sseParser((m: unknown) => got.push(m));
    for (const c of chunks) feed(c);
    assert.deepEqual(got, want, JSON.stringify(chunks));
  }
});

test('diffObjects: added, removed, changed leaves; list-map keys; ignored metadata', async () => {
  const { diffObjects } = await load('lib/diff.js');
  const cases: [any, any, string[]][] = [
    [undefined, { spec: { replicas: 1 } }, ['+ spec.replicas 1']],
    [{ spec: { replicas: 1 } }, { spec: { replicas: 2 } }, ['~ spec.replicas 1 2']],
    [{ spec: { a: 'x' } }, { spec: {} }, ['+ spec {}', '- spec.a "x"']],
    [{ metadata: { resourceVersion: '1', managedFields: [{ manager: 'a' }] } }, { metadata: { resourceVersion: '2', managedFields: [{ manager: 'b' }] } }, []],
    [
      { status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }] } },
      { status: { conditions: [{ type: 'B', status: 'True' }, { type: 'A', status: 'True' }] } },
      ['~ status.conditions[type=B].status "False" "True"'],
    ],
    [{ spec: { args: ['a', 'b'] } }, { spec: { args: ['a'] } }, ['- spec.args[1] "b"']],
    [{ spec: { c: [{ name: 'x', image: 'i:1' }] } }, { spec: { c: [{ name: 'x', image: 'i:2' }] } }, ['~ spec.c[name=x].image "i:1" "i:2"']],
  ];
  for (const [a, b, want] of cases) {
    const got = diffObjects(a, b).map((d: any) => [d.op, d.path, d.from, d.to].filter((x) => x !== undefined).join(' '));
    assert.deepEqual(got, want, JSON.stringify([a, b]));
  }
});

test('changedBy: the managedFields entries a write added or changed', async () => {
  const { changedBy } = await load('lib/diff.js');
  const mf = (...e: any[]) => ({ metadata: { managedFields: e } });
  const create = { manager: 'kubectl-create', operation: 'Update', time: 't1' };
  const cases: [any, any, string[]][] = [
    [undefined, mf(create), ['kubectl-create']],
    [mf(create), mf(create), []],
    [mf(create), mf(create, { manager: 'kubectl-scale', operation: 'Update', subresource: 'scale', time: 't2' }), ['kubectl-scale (scale)']],
    [mf(create), mf({ ...create, time: 't3' }), ['kubectl-create']],
    [{ metadata: {} }, { metadata: {} }, []],
  ];
  for (const [a, b, want] of cases) assert.deepEqual(changedBy(a, b), want);
});

test('podState / nodeState: what the marks and tiles are colored by', async () => {
  const { podState, nodeState, milliCpu } = await load('lib/status.js');
  const ready = { type: 'Ready', status: 'True' };
  const pods: [any, string][] = [
    [{ metadata: {}, status: { phase: 'Running', conditions: [ready] } }, 'ready'],
    [{ metadata: {}, status: { phase: 'Running', conditions: [] } }, 'running'],
    [{ metadata: {}, status: {} }, 'pending'],
    [{ metadata: {} }, 'pending'],
    [{ metadata: {}, status: { phase: 'Succeeded' } }, 'succeeded'],
    [{ metadata: {}, status: { phase: 'Failed' } }, 'failed'],
    [{ metadata: { deletionTimestamp: 'x' }, status: { phase: 'Running', conditions: [ready] } }, 'terminating'],
  ];
  for (const [p, want] of pods) assert.equal(podState(p), want, JSON.stringify(p));
  const nodes: [any, string][] = [
    [{ status: { conditions: [ready] } }, 'ready'],
    [{ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, 'notready'],
    [{}, 'notready'],
    [{ spec: { unschedulable: true }, status: { conditions: [ready] } }, 'cordoned'],
  ];
  for (const [n, want] of nodes) assert.equal(nodeState(n), want, JSON.stringify(n));
  assert.deepEqual(['250m', '2', '1.5', undefined, 'x'].map(milliCpu), [250, 2000, 1500, 0, 0]);
});

test('tile geometry: sizes by node count, the tile under a point', async () => {
  const { layout, tileAt } = await load('views/tiles.js');
  const small = layout(4, 1000);
  assert.deepEqual([small.w, small.cols, small.rows, small.label], [200, 4, 1, true]);
  const big = layout(5000, 1248);
  assert.equal(big.label, false);
  assert.equal(big.rows, Math.ceil(5000 / big.cols));
  const cases: [number, number, number][] = [
    [1, 1, 0],
    [small.w + small.gap + 1, 1, 1],
    [small.w + 1, 1, -1], // in the gap
    [1, small.h + small.gap + 1, -1], // a row with no nodes
  ];
  for (const [x, y, want] of cases) assert.equal(tileAt(small, x, y, 4), want, `${x},${y}`);
});

test('oldestOf: the oldest resourceVersion a 410 Status names', async () => {
  const { oldestOf } = await load('views/timeline.js');
  assert.equal(oldestOf('too old resource version: 1 (345)'), '345');
  assert.equal(oldestOf('something else'), undefined);
});

test('readLeases: leaders with their holders and expiry, stale node heartbeats', async () => {
  const { readLeases } = await load('views/controlplane.js');
  const now = Date.parse('2026-01-01T00:01:00Z');
  const lease = (ns: string, name: string, spec: any) => ({ metadata: { namespace: ns, name }, spec });
  const r = readLeases(
    [
      lease('kube-system', 'kube-scheduler', { holderIdentity: 'a', renewTime: '2026-01-01T00:00:58Z', leaseDurationSeconds: 15, leaseTransitions: 2 }),
      lease('kube-system', 'kube-controller-manager', { holderIdentity: 'b', renewTime: '2026-01-01T00:00:30Z', leaseDurationSeconds: 15 }),
      lease('kube-node-lease', 'n1', { renewTime: '2026-01-01T00:00:50Z' }),
      lease('kube-node-lease', 'n2', { renewTime: '2026-01-01T00:00:00Z' }),
      lease('kube-node-lease', 'n3', {}),
    ],
    now,
  );
  assert.deepEqual(
    r.leaders.map((l: any) => [l.name, l.holder, l.age, l.transitions, l.expired]),
    [
      ['kube-system/kube-controller-manager', 'b', 30, 0, true],
      ['kube-system/kube-scheduler', 'a', 2, 2, false],
    ],
  );
  assert.equal(r.beats, 3);
  assert.deepEqual(r.stale.map((b: any) => [b.node, b.age]), [['n3', undefined], ['n2', 60]]);
});

test('Informer (in node, against an API server): list then watch, resume after the server ends a watch, relist on 410', async () => {
  const { startTestServer, req, configMap } = await import('../apiserver/helpers.ts');
  const { eventually } = await import('../helpers/eventually.ts');
  const { Informer } = await load('lib/informer.js');
  const srv = await startTestServer({ watchCacheSize: 20 });
  const cm = '/api/v1/namespaces/default/configmaps';
  try {
    await req(srv.url, 'POST', cm, configMap('a'));
    const inf = new Informer(`${srv.url}${cm}`, { kind: 'ConfigMap', apiVersion: 'v1', timeoutSeconds: 1 }, () => {});
    const seen: string[] = [];
    inf.listeners.add((ev: any) => seen.push(`${ev.type}:${ev.object.metadata.name}`));
    inf.run();
    try {
      await eventually(() => inf.synced || undefined, 'synced', 5000);
      assert.deepEqual([...inf.items.keys()], ['default/a']);
      assert.equal(inf.items.get('default/a').kind, 'ConfigMap', 'listed items get their kind');
      await req(srv.url, 'POST', cm, configMap('b'));
      await eventually(() => inf.items.has('default/b') || undefined, 'b arrives', 5000);
      // the server ends each watch after 1 s: the informer resumes without a relist
      await new Promise((r) => setTimeout(r, 1500));
      await req(srv.url, 'POST', cm, configMap('c'));
      await eventually(() => inf.items.has('default/c') || undefined, 'c arrives after a resume', 5000);
      assert.equal(inf.lists, 1, 'resumed from its resourceVersion, no relist');
      // away too long: its resourceVersion falls out of the window, the next watch gets 410, it relists
      const stale = inf.rv;
      for (let i = 0; i < 30; i++) await req(srv.url, 'POST', cm, configMap(`x${i}`));
      await eventually(() => (inf.items.size === 33 ? true : undefined), 'all 33 seen', 5000);
      inf.rv = stale; // as if it had missed them all
      await eventually(() => (inf.lists === 2 ? true : undefined), 'relisted after 410', 10_000);
      assert.equal(inf.items.size, 33);
      await req(srv.url, 'DELETE', `${cm}/a`);
      await eventually(() => (!inf.items.has('default/a') ? true : undefined), 'watching again after the relist', 5000);
      assert.ok(seen.includes('ADDED:b') && seen.includes('ADDED:c'));
    } finally {
      inf.stop();
    }
  } finally {
    await srv.close();
  }
});

test('podsToDrain: what kubectl drain evicts', async () => {
  const { podsToDrain } = await load('lib/actions.js');
  const pod = (name: string, extra: any = {}) => ({ metadata: { name, ...extra.metadata }, status: { phase: 'Running', ...extra.status } });
  const pods = [
    pod('plain'),
    pod('rs', { metadata: { ownerReferences: [{ kind: 'ReplicaSet', controller: true }] } }),
    pod('ds', { metadata: { ownerReferences: [{ kind: 'DaemonSet', controller: true }] } }),
    pod('mirror', { metadata: { annotations: { 'kubernetes.io/config.mirror': 'x' } } }),
    pod('done', { status: { phase: 'Succeeded' } }),
    pod('failed', { status: { phase: 'Failed' } }),
  ];
  assert.deepEqual(podsToDrain(pods).map((p: any) => p.metadata.name), ['plain', 'rs']);
});

test('workloadStatus: what kubectl get prints for StatefulSets, DaemonSets, Jobs, CronJobs', async () => {
  const { workloadStatus, ago } = await load('lib/workloads.js');
  const now = Date.parse('2026-01-01T00:10:00Z');
  const cases: [unknown, Record<string, unknown>][] = [
    [{ kind: 'StatefulSet', spec: { replicas: 3 }, status: { readyReplicas: 2, currentReplicas: 3, updatedReplicas: 1 } }, { ready: '2/3', current: 3, updated: 1 }],
    [{ kind: 'StatefulSet', spec: {} }, { ready: '0/1', current: 0, updated: 0 }],
    [{ kind: 'DaemonSet', status: { desiredNumberScheduled: 4, currentNumberScheduled: 4, numberReady: 3, updatedNumberScheduled: 4 } }, { desired: 4, current: 4, ready: 3, updated: 4 }],
    [{ kind: 'Job', spec: { completions: 3 }, status: { succeeded: 1, active: 2 } }, { completions: '1/3', active: 2, failed: 0, status: 'Running' }],
    [{ kind: 'Job', spec: {}, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }, { completions: '1/1', active: 0, failed: 0, status: 'Complete' }],
    [{ kind: 'Job', spec: { backoffLimit: 0 }, status: { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] } }, { completions: '0/1', active: 0, failed: 1, status: 'Failed' }],
    [{ kind: 'CronJob', spec: { schedule: '*/5 * * * *' }, status: { active: [{}], lastScheduleTime: '2026-01-01T00:05:00Z' } }, { schedule: '*/5 * * * *', suspend: 'False', active: 1, 'last schedule': '5m ago' }],
    [{ kind: 'CronJob', spec: { schedule: '@daily', suspend: true } }, { schedule: '@daily', suspend: 'True', active: 0, 'last schedule': '<none>' }],
  ];
  for (const [o, want] of cases) {
    const got = Object.fromEntries(workloadStatus(o, now).map((c: { label: string; value: unknown }) => [c.label, c.value]));
    assert.deepEqual(got, want, JSON.stringify(o));
  }
  assert.deepEqual([ago('2026-01-01T00:09:15Z', now), ago('2026-01-01T00:00:00Z', now), ago('2025-12-31T21:00:00Z', now), ago('2025-12-25T00:00:00Z', now)], ['45s', '10m', '3h', '7d']);
});

test('itemsOf: polled lists keyed namespace/name with their kind', async () => {
  const { itemsOf, POLLED } = await load('lib/store.js');
  const m = itemsOf({ items: [{ metadata: { namespace: 'a', name: 'x' } }] }, POLLED.jobs);
  assert.deepEqual([...m], [['a/x', { kind: 'Job', apiVersion: 'batch/v1', metadata: { namespace: 'a', name: 'x' } }]]);
  assert.equal(itemsOf(undefined, POLLED.jobs).size, 0);
});

test('metrics: Prometheus text, histogram quantiles, rates between two scrapes', async () => {
  const { parseProm, summarize, quantile, between } = await load('lib/metrics.js');
  const scrape = (n: number) => `# HELP apiserver_request_total x
# TYPE apiserver_request_total counter
apiserver_request_total{verb="GET",resource="pods",code="200"} ${10 * n}
apiserver_request_total{verb="LIST",resource="pods",code="200"} ${2 * n}
apiserver_request_total{verb="GET",resource="nodes",code="404"} ${n}
apiserver_request_duration_seconds_bucket{le="0.01",verb="GET",resource="pods",scope="resource"} ${8 * n}
apiserver_request_duration_seconds_bucket{le="0.1",verb="GET",resource="pods",scope="resource"} ${10 * n}
apiserver_request_duration_seconds_bucket{le="+Inf",verb="GET",resource="pods",scope="resource"} ${10 * n}
apiserver_request_duration_seconds_sum{verb="GET",resource="pods",scope="resource"} ${0.2 * n}
apiserver_request_duration_seconds_count{verb="GET",resource="pods",scope="resource"} ${10 * n}
apiserver_registered_watchers{resource="pods"} 3
apiserver_registered_watchers{resource="nodes"} 2
`;
  const samples = parseProm('m{a="x\\"y",b="z"} 1.5\nplain 2\n# c\n');
  assert.deepEqual(samples, [{ name: 'm', labels: { a: 'x"y', b: 'z' }, value: 1.5 }, { name: 'plain', labels: {}, value: 2 }]);
  const a = summarize(parseProm(scrape(1)), 100);
  const b = summarize(parseProm(scrape(3)), 102);
  assert.deepEqual(a.byVerb, { GET: 11, LIST: 2 });
  assert.equal(a.watchers, 5);
  const p = between(a, b);
  assert.deepEqual(p.rate, { GET: 11, LIST: 2 });
  assert.equal(Math.round(p.meanMs), 20);
  // 20 observations: 16 under 10 ms, 4 in (10, 100] ms: p99 = 10 + 90 * (19.8 - 16) / 4
  assert.equal(Math.round(p.p99Ms * 10) / 10, 95.5);
  assert.equal(quantile(0.5, new Map([['0.1', 0], ['+Inf', 0]])), undefined);
  assert.equal(quantile(0.99, new Map([['0.1', 1], ['+Inf', 10]])), 0.1);
  assert.equal(between(a, a).meanMs, null);
});

test('pendingPods: unbound pods that are not finished or deleting', async () => {
  const { pendingPods } = await load('lib/metrics.js');
  const pods = new Map(Object.entries({ a: { metadata: {}, spec: {} }, b: { metadata: {}, spec: { nodeName: 'n' } }, c: { metadata: { deletionTimestamp: 'x' }, spec: {} }, d: { metadata: {}, spec: {}, status: { phase: 'Failed' } } }));
  assert.equal(pendingPods(pods), 1);
});

test('PodIndex: watch events applied one by one give what a rebuild from the items gives; updates keep their place', async () => {
  const { PodIndex } = await load('lib/podindex.js');
  const pod = (name: string, node: string, phase: string, ready: boolean, owner = 'rs-1', extra: any = {}) => ({
    metadata: { namespace: 'default', name, ownerReferences: owner ? [{ uid: owner }] : [], ...extra },
    spec: node ? { nodeName: node } : {},
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const items = new Map<string, any>();
  const idx = new PodIndex();
  const steps: [string, any][] = [
    ['ADDED', pod('a', '', 'Pending', false)],
    ['ADDED', pod('b', 'n1', 'Running', true)],
    ['ADDED', pod('c', 'n1', 'Running', false, 'rs-2')],
    ['MODIFIED', pod('a', 'n1', 'Running', true)], // bound: moves from '' to n1
    ['MODIFIED', pod('b', 'n1', 'Running', false)], // same node: keeps its place before c
    ['MODIFIED', pod('c', 'n1', 'Running', false, 'rs-1', { deletionTimestamp: 'now' })], // new owner, deleting
    ['ADDED', pod('d', 'n2', 'Succeeded', false, '')],
    ['DELETED', pod('d', 'n2', 'Succeeded', false, '')],
  ];
  for (const [type, object] of steps) {
    const key = `default/${object.metadata.name}`;
    const old = items.get(key);
    if (type === 'DELETED') items.delete(key);
    else items.set(key, object);
    idx.apply({ type, object }, old);
    const fresh = new PodIndex(items);
    assert.deepEqual({ counts: idx.counts, ready: idx.ready, size: idx.size }, { counts: fresh.counts, ready: fresh.ready, size: fresh.size }, `${type} ${key}`);
    for (const n of ['', 'n1', 'n2']) assert.deepEqual(new Set(idx.onNode(n)), new Set(fresh.onNode(n)), `${type} ${key}: pods on "${n}"`);
    for (const o of ['rs-1', 'rs-2']) assert.deepEqual(new Set(idx.ofOwner(o)), new Set(fresh.ofOwner(o)), `${type} ${key}: pods of ${o}`);
  }
  assert.deepEqual(idx.onNode('n1').map((p: any) => p.metadata.name), ['b', 'c', 'a'], 'b and c kept their places, a joined last');
  assert.deepEqual(idx.counts, { running: 1, terminating: 1, ready: 1 });
  assert.equal(idx.ready, 1);
  assert.equal(idx.countOn(''), 0);
  assert.deepEqual(idx.ofOwner('rs-2'), []);
});

test('withoutManagedFields: a trimmed copy for the informer, the watch event object untouched; in place for listed items', async () => {
  const { withoutManagedFields } = await load('lib/informer.js');
  const o = { metadata: { name: 'a', managedFields: [{ manager: 'x' }] }, spec: { x: 1 } };
  const copy = withoutManagedFields(o);
  assert.deepEqual(copy, { metadata: { name: 'a' }, spec: { x: 1 } });
  assert.equal(o.metadata.managedFields.length, 1);
  assert.equal(withoutManagedFields(copy), copy, 'nothing to trim: the same object');
  assert.equal(withoutManagedFields(o, true), o);
  assert.equal('managedFields' in o.metadata, false);
});

test('parseFitError: the scheduler\'s counted reasons, braces kept whole, the preemption text after', async () => {
  const { parseFitError } = await load('lib/scheduling.js');
  const cases: [string, any][] = [
    ['0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}.', { total: 3, reasons: [{ count: 1, reason: 'Insufficient cpu' }, { count: 2, reason: 'node(s) had untolerated taint {dedicated: gpu}' }], rest: '' }],
    [
      '0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.',
      { total: 5, reasons: [{ count: 5, reason: 'Insufficient memory' }], rest: 'preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.' },
    ],
    ['0/0 nodes are available: no nodes available to schedule pods.', { total: 0, reasons: [{ count: undefined, reason: 'no nodes available to schedule pods' }], rest: '' }],
    ['0/2 nodes are available: 2 node(s) didn\'t match Pod\'s node affinity/selector, 1 node(s) had volume node affinity conflict [a.b, c].', { total: 2, reasons: [{ count: 2, reason: "node(s) didn't match Pod's node affinity/selector" }, { count: 1, reason: 'node(s) had volume node affinity conflict [a.b, c]' }], rest: '' }],
    ['Successfully assigned default/a to node-1', undefined],
  ];
  for (const [msg, want] of cases) assert.deepEqual(parseFitError(msg), want, msg);
});

test('schedulingOf / decisionRows: scheduled, unschedulable (condition wins over old events), pending; the explained decision ranked', async () => {
  const { schedulingOf, decisionRows, RESULT_ANNOTATION } = await load('lib/scheduling.js');
  const ev = (reason: string, message: string, t: string, count = 1) => ({ reason, message, lastTimestamp: t, count, metadata: { resourceVersion: t.slice(-2) } });
  const failed = ev('FailedScheduling', '0/2 nodes are available: 2 Insufficient cpu.', '2026-01-01T00:00:01Z', 3);
  const bound = ev('Scheduled', 'Successfully assigned default/a to n2', '2026-01-01T00:00:09Z');
  const pending = { metadata: { name: 'a' }, spec: {}, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable.' }] } };
  const u = schedulingOf(pending, [failed]);
  assert.equal(u.state, 'unschedulable');
  assert.equal(u.failures, 3);
  assert.deepEqual(u.reasons, [{ count: 1, reason: 'Insufficient cpu' }, { count: 1, reason: 'node(s) were unschedulable' }]);
  const s = schedulingOf({ metadata: { name: 'a' }, spec: { nodeName: 'n2' }, status: {} }, [bound, failed]);
  assert.deepEqual([s.state, s.node, s.message, s.failures, s.reasons], ['scheduled', 'n2', 'Successfully assigned default/a to n2', 3, []]);
  assert.equal(schedulingOf({ metadata: { name: 'a' }, spec: {} }, []).state, 'pending');
  const d = { selected: 'n2', filter: { n1: 'NodeResourcesFit: Insufficient cpu', n2: 'passed', n3: 'passed' }, score: { n2: { A: 10 }, n3: { A: 20 } }, finalScore: { n2: 10, n3: 20 } };
  const withDecision = schedulingOf({ metadata: { name: 'a', annotations: { [RESULT_ANNOTATION]: JSON.stringify(d) } }, spec: { nodeName: 'n2' } }, []);
  assert.deepEqual(withDecision.decision, d);
  assert.deepEqual(decisionRows(d).map((r: any) => [r.node, r.filter, r.total, r.selected]), [['n2', 'passed', 10, true], ['n3', 'passed', 20, false], ['n1', 'NodeResourcesFit: Insufficient cpu', undefined, false]]);
  assert.equal(schedulingOf({ metadata: { name: 'a', annotations: { [RESULT_ANNOTATION]: '{bad' } }, spec: {} }, []).decision, undefined);
});

test('admissionOf: the admission chain\'s decisions from a write\'s audit annotations; auditQuery', async () => {
  const { admissionOf, auditQuery } = await load('lib/admission.js');
  const cases: [Record<string, string>, [string, string][]][] = [
    [{ 'mutation.webhook.admission.k8s.io/round_0_index_0': '{"configuration":"cfg","webhook":"add-label.example.com","mutated":true}' }, [['mutating', 'webhook add-label.example.com (cfg) mutated it']]],
    [{ 'mutation.webhook.admission.k8s.io/round_1_index_2': '{"configuration":"cfg","webhook":"w","mutated":false}' }, [['mutating', 'webhook w (cfg) did not change it on reinvocation']]],
    [{ 'patch.webhook.admission.k8s.io/round_0_index_0': '{"configuration":"cfg","webhook":"w","patch":[{"op":"add","path":"/metadata/labels/x","value":"y"}],"patchType":"JSONPatch"}' }, [['mutating', 'webhook w patched: add /metadata/labels/x "y"']]],
    [{ 'failed-open.validating.webhook.admission.k8s.io/round_0_index_1': 'v.example.com' }, [['validating', 'webhook v.example.com failed and was ignored (failurePolicy: Ignore)']]],
    [{ 'validation.policy.admission.k8s.io/validation_failure': '[{"message":"replicas > 5","policy":"max","binding":"max-b","expressionIndex":0,"validationActions":["Audit","Warn"]}]' }, [['policy', 'policy max (binding max-b) failed: replicas > 5 [Audit, Warn]']]],
    [{ 'pod-security.kubernetes.io/enforce-policy': 'restricted:latest' }, [['pod-security', 'enforce-policy: restricted:latest']]],
    [{ 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "x"' }, [['authorization', 'authorization: allow (RBAC: allowed by ClusterRoleBinding "x")']]],
    [{ 'max/high-replicas': 'true' }, [['other', 'max/high-replicas: true']]],
    [{ 'mutation.webhook.admission.k8s.io/round_0_index_0': 'not json' }, [['mutating', 'webhook ? (?) did not change it']]],
  ];
  for (const [annotations, want] of cases) assert.deepEqual(admissionOf(annotations).map((a: any) => [a.kind, a.text]), want, JSON.stringify(annotations));
  assert.deepEqual(admissionOf(undefined), []);
  assert.equal(auditQuery({ apiVersion: 'apps/v1', plural: 'deployments', namespace: 'default', name: 'web' }), '/debug/audit/writes?group=apps&resource=deployments&name=web&namespace=default');
  assert.equal(auditQuery({ apiVersion: 'v1', plural: 'nodes', name: 'n1' }), '/debug/audit/writes?group=&resource=nodes&name=n1');
});
