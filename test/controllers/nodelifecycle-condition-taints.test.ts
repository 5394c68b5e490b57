// TaintNodesByCondition: the node lifecycle plan adds a NoSchedule taint per True pressure /
// NetworkUnavailable condition and removes it when the condition clears; the API server and
// controller-manager then put it on a Node and take it off again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { desiredTaints, type Taint } from '../../src/controllers/nodelifecycle/plan.ts';
import { cluster, NODES } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const now = Date.parse('2024-01-01T00:05:00Z');
const node = (conds: Record<string, string>, taints: Taint[] = [], spec: any = {}): KubeObject => ({
  metadata: { name: 'n1' },
  spec: { ...spec, taints },
  status: { conditions: [{ type: 'Ready', status: 'True' }, ...Object.entries(conds).map(([type, status]) => ({ type, status }))] },
});
const keys = (ts: Taint[] | undefined) => ts?.map((t) => `${t.key}:${t.effect}`);

test('each True pressure or NetworkUnavailable condition adds its NoSchedule taint (no timeAdded)', () => {
  const all = desiredTaints(node({ MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'True', NetworkUnavailable: 'True' }), now);
  assert.deepEqual(keys(all), [
    'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/pid-pressure:NoSchedule',
    'node.kubernetes.io/network-unavailable:NoSchedule',
  ]);
  assert.ok(all!.every((t) => t.timeAdded === undefined), 'like Kubernetes, condition taints carry no timeAdded');
  assert.deepEqual(keys(desiredTaints(node({ MemoryPressure: 'True', DiskPressure: 'False', PIDPressure: 'Unknown' }), now)), ['node.kubernetes.io/memory-pressure:NoSchedule']);
  assert.equal(desiredTaints(node({ MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', NetworkUnavailable: 'False' }), now), undefined);
});

test('condition taints are stable while the condition holds and go when it clears', () => {
  const tainted = desiredTaints(node({ MemoryPressure: 'True' }), now)!;
  assert.equal(desiredTaints(node({ MemoryPressure: 'True' }, tainted), now + 1000), undefined, 'stable once set');
  assert.deepEqual(desiredTaints(node({ MemoryPressure: 'False' }, tainted), now), []);
  // Ready=Unknown (the monitor sets pressure conditions Unknown too): only unreachable stays.
  assert.deepEqual(keys(desiredTaints({ ...node({}, tainted), status: { conditions: [{ type: 'Ready', status: 'Unknown' }, { type: 'MemoryPressure', status: 'Unknown' }] } }, now)), [
    'node.kubernetes.io/unreachable:NoSchedule',
    'node.kubernetes.io/unreachable:NoExecute',
  ]);
});

test('user taints stay untouched, including another effect on a condition key', () => {
  const user: Taint[] = [
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoExecute' },
  ];
  const out = desiredTaints(node({ MemoryPressure: 'True' }, user), now)!;
  assert.deepEqual(out.slice(0, 2), user);
  assert.equal(out[0], user[0], 'the same object, not a copy');
  assert.deepEqual(keys(out.slice(2)), ['node.kubernetes.io/memory-pressure:NoSchedule']);
  assert.deepEqual(desiredTaints(node({}, out), now), user, 'clearing removes only the managed taint');
  assert.equal(desiredTaints(node({ DiskPressure: 'False' }, user), now), undefined, 'a NoExecute disk-pressure taint is not ours');
});

test('unschedulable and Ready taints combine with condition taints', () => {
  const n = { ...node({ DiskPressure: 'True' }, [], { unschedulable: true }), status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'True' }] } };
  assert.deepEqual(keys(desiredTaints(n, now)), [
    'node.kubernetes.io/not-ready:NoSchedule',
    'node.kubernetes.io/not-ready:NoExecute',
    'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
});

test('a Node with MemoryPressure=True gets the memory-pressure taint; clearing the condition removes it; a user taint stays', async () => {
  const c = await cluster({ nodeMonitorGracePeriodSeconds: 3600 });
  try {
    const nodes = c.client.resource(NODES);
    const t = new Date().toISOString().replace(/\.\d+Z/, 'Z');
    const cond = (type: string, status: string) => ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t });
    await nodes.create({
      metadata: { name: 'pressured' },
      spec: { taints: [{ key: 'team', value: 'a', effect: 'NoSchedule' }] },
      status: { conditions: [cond('Ready', 'True'), cond('MemoryPressure', 'True')] },
    } as KubeObject);
    const tainted = await eventually(async () => {
      const n = await nodes.get('pressured');
      return (n.spec.taints ?? []).some((x: Taint) => x.key === 'node.kubernetes.io/memory-pressure') && n;
    }, 'memory-pressure taint');
    assert.deepEqual(keys(tainted.spec.taints), ['team:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule']);
    await nodes.updateStatus({ ...tainted, status: { ...tainted.status, conditions: [cond('Ready', 'True'), cond('MemoryPressure', 'False')] } });
    const cleared = await eventually(async () => {
      const n = await nodes.get('pressured');
      return !(n.spec.taints ?? []).some((x: Taint) => x.key === 'node.kubernetes.io/memory-pressure') && n;
    }, 'memory-pressure taint removed');
    assert.deepEqual(cleared.spec.taints, [{ key: 'team', value: 'a', effect: 'NoSchedule' }]);
  } finally {
    await c.close();
  }
});
