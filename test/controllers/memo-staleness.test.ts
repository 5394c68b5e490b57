// Caches keyed by object identity or text must never answer for a changed object: the HPA's
// per-pod facts (a replaced pod object is looked at afresh), the GC graph's fast path for updates
// that keep the ownerReferences (a change of owners still relinks), the parsed-selector cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { calcOptions, CalcError, groupPods, podRequests } from '../../src/controllers/hpa/replicas.ts';
import { parseWindow } from '../../src/controllers/hpa/plan.ts';
import { Graph } from '../../src/controllers/garbagecollector/graph.ts';
import { Indexer, Lister, type SharedInformer } from '../../src/client/index.ts';
import { BY_LABEL, labelIndex, listBySelector } from '../../src/controllers/util/labelindex.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const pod = (ready: 'True' | 'False', cpu: string | undefined, since = now - 3600_000): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'default', name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', resources: cpu ? { requests: { cpu } } : {} }] },
  status: { phase: 'Running', startTime: iso(since), conditions: [{ type: 'Ready', status: ready, lastTransitionTime: iso(since) }] },
});

test('HPA pod facts: a replaced pod object is read afresh (readiness, requests)', () => {
  const o = calcOptions({ now });
  const metrics = new Map([['p', { value: 100, timestampMs: now - 1000, windowMs: 60_000 }]]);
  const a = pod('True', '500m');
  assert.equal(groupPods([a], metrics, 'cpu', o).readyPodCount, 1);
  assert.equal(groupPods([a], metrics, 'cpu', o).readyPodCount, 1, 'same object, same answer');
  const b = pod('False', '500m', now - 60_000);
  assert.equal(groupPods([b], metrics, 'cpu', o).readyPodCount, 0);
  assert.deepEqual(groupPods([b], metrics, 'cpu', o).unready, new Set(['p']));
  assert.equal(podRequests([a], '', 'cpu').get('p'), 500);
  assert.equal(podRequests([pod('True', '1')], '', 'cpu').get('p'), 1000);
  assert.equal(podRequests([a], 'c', 'cpu').get('p'), 500, 'per container: its own entry');
  assert.equal(podRequests([a], 'other', 'cpu').get('p'), 0);
  // the pod's last key asked is kept apart from its others: every key keeps its own answer
  assert.equal(podRequests([a], '', 'cpu').get('p'), 500, 'back to the first key');
  assert.throws(() => podRequests([a], '', 'memory'), (e) => e instanceof CalcError && /missing request for memory/.test(e.message));
  assert.equal(podRequests([a], 'c', 'cpu').get('p'), 500);
  assert.throws(() => podRequests([a], '', 'memory'), CalcError, 'an error is kept as the answer too');
  assert.equal(podRequests([a], '', 'cpu').get('p'), 500);
  const none = pod('True', undefined);
  for (let i = 0; i < 2; i++) assert.throws(() => podRequests([none], '', 'cpu'), (e) => e instanceof CalcError && /missing request for cpu in container c of Pod p/.test(e.message));
});

test('HPA pods memo: a frozen pods array keeps its facts and requests; an array that is not frozen is read afresh', () => {
  const o = calcOptions({ now });
  const metrics = new Map([['p', { value: 100, timestampMs: now - 1000, windowMs: 60_000 }]]);
  const a = pod('True', '500m');
  const frozen = Object.freeze([a]);
  const r = podRequests(frozen, '', 'cpu');
  assert.equal(r.get('p'), 500);
  assert.equal(podRequests(frozen, '', 'cpu'), r, 'the same answer kept for the same frozen array');
  assert.equal(podRequests(frozen, 'c', 'cpu').get('p'), 500);
  assert.equal(groupPods(frozen, metrics, 'cpu', o).readyPodCount, 1);
  // another array of the other objects (what listBySelector hands out after a change) is read afresh
  const changed = Object.freeze([pod('False', '1', now - 60_000)]);
  assert.equal(podRequests(changed, '', 'cpu').get('p'), 1000);
  assert.equal(groupPods(changed, metrics, 'cpu', o).readyPodCount, 0);
  const open: KubeObject[] = [a];
  assert.equal(podRequests(open, '', 'cpu').get('p'), 500);
  open[0] = pod('True', '2');
  assert.equal(podRequests(open, '', 'cpu').get('p'), 2000, 'an array that can change: no memo');
  const none = Object.freeze([pod('True', undefined)]);
  for (let i = 0; i < 2; i++) assert.throws(() => podRequests(none, '', 'cpu'), CalcError, 'an error is kept and thrown again');
});

test('HPA parseWindow: memoized, same values', () => {
  for (const [s, ms] of [['1m0s', 60_000], ['15s', 15_000], ['1m0s', 60_000], ['300ms', 300], ['', 0]] as const) assert.equal(parseWindow(s), ms, s);
});

test('GC graph: an update that keeps the owners keeps the links; one that changes them relinks', () => {
  const g = new Graph();
  const dep = (owners: string[], rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'd', uid: 'd', resourceVersion: rv, ownerReferences: owners.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid })) } });
  g.upsert(dep(['a'], '1'), 'v1', 'Pod');
  assert.deepEqual(g.upsert(dep(['a'], '2'), 'v1', 'Pod').removedOwners, []);
  assert.deepEqual(g.dependentsOf('a').map((n) => n.id.uid), ['d']);
  assert.equal(g.nodes.get('d')!.owners[0].uid, 'a');
  const r = g.upsert(dep(['b'], '3'), 'v1', 'Pod');
  assert.deepEqual(r.removedOwners, ['a']);
  assert.deepEqual(g.dependentsOf('a'), []);
  assert.deepEqual(g.dependentsOf('b').map((n) => n.id.uid), ['d']);
  const del = { ...dep(['b'], '4'), metadata: { ...dep(['b'], '4').metadata, deletionTimestamp: iso(now), finalizers: ['foregroundDeletion'] } };
  const n = g.upsert(del, 'v1', 'Pod').node;
  assert.equal(n.deleting, true, 'state changes are still taken on the fast path');
  assert.deepEqual(n.finalizers, ['foregroundDeletion']);
});

test('listBySelector: the parsed-selector cache answers each selector text for itself', () => {
  const indexer = new Indexer<KubeObject>({ [BY_LABEL]: labelIndex });
  const inf = { indexer, lister: new Lister(indexer) } as unknown as SharedInformer<KubeObject>;
  const mk = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name, labels } });
  for (const p of [mk('a', { app: 'web', tier: 'x' }), mk('b', { app: 'web' }), mk('c', { app: 'db' })]) indexer.set(`default/${p.metadata.name}`, p);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(listBySelector(inf, 'app=web', 'default').map((p) => p.metadata.name), ['a', 'b']);
    assert.deepEqual(listBySelector(inf, 'app=web,tier=x', 'default').map((p) => p.metadata.name), ['a']);
    assert.deepEqual(listBySelector(inf, 'app=db', 'default').map((p) => p.metadata.name), ['c']);
  }
  assert.throws(() => listBySelector(inf, 'app in (', 'default'));
  assert.throws(() => listBySelector(inf, 'app in (', 'default'), 'a bad selector is not cached as good');
});

test('deployment equalIgnoreHash: memoized per template object, a different template object is compared afresh', async () => {
  const { equalIgnoreHash } = await import('../../src/controllers/deployment/plan.ts');
  const t = (image: string, hash?: string) => ({ metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'c', image }] } });
  const a = t('nginx');
  for (let i = 0; i < 2; i++) {
    assert.ok(equalIgnoreHash(a, t('nginx', 'abc')));
    assert.ok(!equalIgnoreHash(a, t('nginx:2', 'abc')));
  }
  assert.ok(equalIgnoreHash(undefined, undefined));
  assert.ok(!equalIgnoreHash(a, undefined));
});
