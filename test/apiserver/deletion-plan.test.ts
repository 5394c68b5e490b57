// planDeletion: what a DELETE does to the current object (finalizers by propagation policy, the
// deletion timestamp and grace period, the kind's own marking), without ever changing the object
// it is given (the stored one: deep-frozen here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { planDeletion, type DeleteOptions } from '../../src/apiserver/rest/delete.ts';
import { deepFreeze } from '../../src/storage/common.ts';

const pods = registry.byResource('', 'v1', 'pods')!;
const configmaps = registry.byResource('', 'v1', 'configmaps')!;
const namespaces = registry.byResource('', 'v1', 'namespaces')!;
const now = new Date(Date.UTC(2026, 11, 1, 12, 0, 0));

test('planDeletion by kind and options; the current object is never changed', () => {
  const bound = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', labels: { a: 'b' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Running' } };
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { k: 'v' } };
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  const opts = (o: Partial<DeleteOptions> = {}): DeleteOptions => ({ dryRun: false, ...o });
  const cases: { name: string; rt: typeof pods; obj: any; opts: DeleteOptions; action: string; check?: (o: any, current: any) => void }[] = [
    { name: 'a configmap goes at once', rt: configmaps, obj: cm, opts: opts(), action: 'delete' },
    { name: 'foreground: a finalizer, kept until the dependents are gone', rt: configmaps, obj: cm, opts: opts({ propagationPolicy: 'Foreground' }), action: 'update', check: (o) => assert.deepEqual(o.metadata.finalizers, ['foregroundDeletion']) },
    { name: 'orphan', rt: configmaps, obj: { ...cm, metadata: { ...cm.metadata, finalizers: ['foregroundDeletion'] } }, opts: opts({ propagationPolicy: 'Orphan' }), action: 'update', check: (o) => assert.deepEqual(o.metadata.finalizers, ['orphan']) },
    { name: 'a bound pod terminates gracefully', rt: pods, obj: bound, opts: opts(), action: 'update', check: (o, cur) => (assert.equal(o.metadata.deletionGracePeriodSeconds, 30), assert.equal(o.metadata.deletionTimestamp, '2026-12-01T12:00:30Z'), assert.deepEqual(o.spec, cur.spec)) },
    { name: 'a pod already terminating with the same grace: nothing to do', rt: pods, obj: { ...bound, metadata: { ...bound.metadata, deletionTimestamp: '2026-12-01T12:00:30Z', deletionGracePeriodSeconds: 30 } }, opts: opts(), action: 'none' },
    { name: 'grace 0 for a terminating pod: gone', rt: pods, obj: { ...bound, metadata: { ...bound.metadata, deletionTimestamp: '2026-12-01T12:00:30Z', deletionGracePeriodSeconds: 30 } }, opts: opts({ gracePeriodSeconds: 0 }), action: 'delete' },
    { name: 'a namespace marks itself Terminating (its status changes)', rt: namespaces, obj: ns, opts: opts(), action: 'update', check: (o) => (assert.equal(o.status.phase, 'Terminating'), assert.ok(o.metadata.deletionTimestamp)) },
    { name: 'a terminating namespace deleted again: nothing to do', rt: namespaces, obj: { ...ns, metadata: { ...ns.metadata, deletionTimestamp: '2026-12-01T11:00:00Z', deletionGracePeriodSeconds: 0 }, status: { phase: 'Terminating' } }, opts: opts(), action: 'none' },
  ];
  for (const c of cases) {
    const current = deepFreeze(structuredClone(c.obj));
    const before = JSON.stringify(current);
    const plan = planDeletion(c.rt, current, c.opts, now);
    assert.equal(plan.action, c.action, c.name);
    assert.equal(JSON.stringify(current), before, `${c.name}: current unchanged`);
    if (plan.action === 'update') c.check?.(plan.object, current);
  }
});
