// DaemonSet maxSurge rolling updates and ControllerRevision history named by the template hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { planDaemonSet, RevisionHashLabel } from '../../src/controllers/daemonset/plan.ts';
import { computeHash } from '../../src/controllers/util/hash.ts';
import { newRevision, planUpdateRevision, revisionData } from '../../src/controllers/util/history.ts';

const KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
const ds = (rollingUpdate: any = { maxUnavailable: 0, maxSurge: 1 }, image = 'x'): KubeObject => ({
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'dsu', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } },
  },
});
const node = (name: string): KubeObject => ({ metadata: { name, labels: {} }, spec: {} });
let t = 0;
const dpod = (name: string, nodeName: string, hash: string, ready = true): KubeObject => ({
  metadata: { name, namespace: 'kube-system', uid: name, labels: { app: 'agent', [RevisionHashLabel]: hash }, creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, t++)).toISOString() },
  spec: { nodeName },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
});

test('daemonset maxSurge: new pods beside old ones, old ones deleted once the new is available (table)', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const now = Date.now();
  const cases: { name: string; set?: KubeObject; pods: KubeObject[]; create: string[]; del: string[] }[] = [
    { name: 'surge 1: one new pod, nothing deleted', pods: [dpod('a1', 'a', 'old'), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')], create: ['a'], del: [] },
    { name: 'waits while the surged pod is not available', pods: [dpod('a1', 'a', 'old'), dpod('a2', 'a', 'new', false), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')], create: [], del: [] },
    { name: 'the new pod is available: the old goes, the next node surges', pods: [dpod('a1', 'a', 'old'), dpod('a2', 'a', 'new'), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')], create: ['b'], del: ['a1'] },
    { name: 'an unavailable old pod gets its replacement at once', pods: [dpod('a1', 'a', 'old', false), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')], create: ['a', 'b'], del: [] },
    { name: 'surge 100%: every node at once', set: ds({ maxUnavailable: 0, maxSurge: '100%' }), pods: [dpod('a1', 'a', 'old'), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')], create: ['a', 'b', 'c'], del: [] },
    { name: 'two new pods on a node: the younger goes', pods: [dpod('a1', 'a', 'new'), dpod('a2', 'a', 'new'), dpod('b1', 'b', 'new'), dpod('c1', 'c', 'new')], create: [], del: ['a2'] },
  ];
  for (const c of cases) {
    const plan = planDaemonSet(c.set ?? ds(), nodes, c.pods, 'new', now);
    assert.deepEqual(plan.create, c.create, c.name);
    assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), c.del, c.name);
  }
});

test('daemonset history: revisions are <ds>-<template hash> with the replacing template patch; a rollback renumbers', () => {
  const v1 = ds(undefined, 'x:1');
  const hashOf = (s: KubeObject) => (cc: number) => computeHash(s.spec?.template, cc || undefined);
  const first = planUpdateRevision(v1, KIND, [], 0, hashOf(v1));
  assert.equal(first.action, 'create');
  const r1 = { ...first.revision, metadata: { ...first.revision.metadata, uid: 'r1' } };
  assert.equal(r1.metadata.name, `agent-${computeHash(v1.spec!.template)}`);
  assert.equal(r1.metadata.labels![RevisionHashLabel], computeHash(v1.spec!.template));
  assert.deepEqual((r1 as any).data, revisionData(v1.spec!.template));
  assert.equal((r1 as any).revision, 1);
  const v2 = ds(undefined, 'x:2');
  const r2 = newRevision(v2, KIND, revisionData(v2.spec!.template), 2, 0, hashOf(v2));
  assert.deepEqual(planUpdateRevision(v2, KIND, [r1, r2], 0, hashOf(v2)), { action: 'keep', revision: r2 });
  const back = planUpdateRevision(v1, KIND, [r1, r2], 0, hashOf(v1));
  assert.deepEqual([back.action, back.revision.metadata.name, (back as any).to], ['renumber', r1.metadata.name, 3]);
});
