// VolumeBinding on table-driven cases: PreFilter's verdict per pod, Filter's per node (kube-scheduler's
// reasons), and PreBind's writes (static pre-binding or selected-node) and wait for Bound claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { CycleState, type Status } from '../../src/scheduler/framework/interface.ts';
import { newPodInfo } from '../../src/scheduler/podinfo.ts';
import { VolumeBinding, type VolumeLister } from '../../src/scheduler/plugins/volumebinding.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { node, pod } from './fixtures.ts';

const verdict = (st: Status | null) => (st ? `${st.code}: ${st.reasons.join('; ')}` : 'ok');

const claim = (name: string, o: { cls?: string; volumeName?: string; bound?: boolean; deleting?: boolean } = {}): KubeObject => ({
  metadata: { name, namespace: 'default', uid: `u-${name}`, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: o.cls ?? 'wffc', volumeMode: 'Filesystem', ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  status: { phase: o.bound ? 'Bound' : 'Pending' },
});
const pv = (name: string, o: { node?: string; cls?: string; claimRef?: any } = {}): KubeObject => ({
  metadata: { name },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: o.cls ?? 'wffc',
    volumeMode: 'Filesystem',
    ...(o.claimRef ? { claimRef: o.claimRef } : {}),
    ...(o.node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } } : {}),
  },
  status: { phase: o.claimRef ? 'Bound' : 'Available' },
});
const classes: Record<string, KubeObject> = {
  wffc: { metadata: { name: 'wffc' }, provisioner: 'kubesim.io/simulated', volumeBindingMode: 'WaitForFirstConsumer' },
  imm: { metadata: { name: 'imm' }, provisioner: 'kubesim.io/simulated', volumeBindingMode: 'Immediate' },
  local: { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
  zoned: { metadata: { name: 'zoned' }, provisioner: 'kubesim.io/simulated', volumeBindingMode: 'WaitForFirstConsumer', allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }] }] },
};

function lister(claims: KubeObject[], volumes: KubeObject[]): VolumeLister {
  return {
    claim: (ns, n) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
    volume: (n) => volumes.find((v) => v.metadata.name === n),
    storageClass: (n) => classes[n],
    volumes: () => volumes,
  };
}

const withClaims = (...names: string[]) => pod('p', { spec: { containers: [{ name: 'c' }], volumes: names.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })) } });

test('VolumeBinding PreFilter: pods without claims skip; missing, deleting and unbound Immediate claims are unresolvable', () => {
  const claims = [claim('a'), claim('i', { cls: 'imm' }), claim('gone', { deleting: true }), claim('b', { cls: 'imm', volumeName: 'v', bound: true })];
  const plugin = new VolumeBinding(lister(claims, [pv('v', { claimRef: { namespace: 'default', name: 'b', uid: 'u-b' } })]));
  const cases: { name: string; pod: KubeObject; want: string }[] = [
    { name: 'no volumes', pod: pod('p'), want: 'Skip: ' },
    { name: 'WaitForFirstConsumer claim', pod: withClaims('a'), want: 'ok' },
    { name: 'bound claim', pod: withClaims('b'), want: 'ok' },
    { name: 'missing claim', pod: withClaims('nope'), want: 'UnschedulableAndUnresolvable: persistentvolumeclaim "nope" not found' },
    { name: 'deleting claim', pod: withClaims('gone'), want: 'UnschedulableAndUnresolvable: persistentvolumeclaim "gone" is being deleted' },
    { name: 'unbound Immediate claim', pod: withClaims('a', 'i'), want: 'UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims' },
  ];
  for (const c of cases) assert.equal(verdict(plugin.preFilter(new CycleState(), newPodInfo(c.pod))), c.want, c.name);
  assert.equal(verdict(new VolumeBinding().preFilter(new CycleState(), newPodInfo(withClaims('a')))), 'Skip: ', 'no lister: skipped');
});

test('VolumeBinding Filter: bound volumes’ node affinity, static WaitForFirstConsumer matches, provisioning per node', () => {
  const cache = new SchedulerCache();
  for (const n of [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'b' } })]) cache.addNode(n);
  const nodes = cache.nodeList();
  const ref = (n: string) => ({ namespace: 'default', name: n, uid: `u-${n}` });
  const cases: { name: string; claims: KubeObject[]; volumes: KubeObject[]; want: Record<string, string> }[] = [
    { name: 'bound to a volume on n1', claims: [claim('a', { volumeName: 'v', bound: true })], volumes: [pv('v', { node: 'n1', claimRef: ref('a') })], want: { n1: 'ok', n2: 'UnschedulableAndUnresolvable: node(s) had volume node affinity conflict' } },
    { name: 'bound to a missing volume', claims: [claim('a', { volumeName: 'v', bound: true })], volumes: [], want: { n1: 'UnschedulableAndUnresolvable: node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)', n2: 'UnschedulableAndUnresolvable: node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)' } },
    { name: 'provisionable anywhere', claims: [claim('a')], volumes: [], want: { n1: 'ok', n2: 'ok' } },
    { name: 'local volumes only where they are', claims: [claim('a', { cls: 'local' })], volumes: [pv('l2', { cls: 'local', node: 'n2' })], want: { n1: "Unschedulable: node(s) didn't find available persistent volumes to bind", n2: 'ok' } },
    { name: 'class topology', claims: [claim('a', { cls: 'zoned' })], volumes: [], want: { n1: 'ok', n2: "Unschedulable: node(s) didn't find available persistent volumes to bind" } },
  ];
  for (const c of cases) {
    const plugin = new VolumeBinding(lister(c.claims, c.volumes));
    const state = new CycleState();
    const pi = newPodInfo(withClaims('a'));
    assert.equal(plugin.preFilter(state, pi), null, c.name);
    const got = Object.fromEntries(nodes.map((n) => [n.name, verdict(plugin.filter(state, pi, n))]));
    assert.deepEqual(got, c.want, c.name);
  }
});

test('VolumeBinding PreBind: selected-node for provisioning, claimRef for a static volume, then waits for Bound', async () => {
  const cache = new SchedulerCache();
  cache.addNode(node('n2'));
  const claims = [claim('a'), claim('l', { cls: 'local' })];
  const volumes = [pv('l2', { cls: 'local', node: 'n2' })];
  const writes: string[] = [];
  const plugin = new VolumeBinding(
    lister(claims, volumes),
    {
      async bindVolume(v, c) {
        writes.push(`bind ${v.metadata.name} ${c.metadata.name}`);
      },
      async selectNode(c, n) {
        writes.push(`select ${c.metadata.name} ${n}`);
      },
    },
    { pollMs: 5, bindTimeoutMs: 2000 },
  );
  const state = new CycleState();
  state.write('allNodes', cache.nodeList());
  const pi = newPodInfo(withClaims('a', 'l'));
  assert.equal(plugin.preFilter(state, pi), null);
  assert.equal(plugin.filter(state, pi, cache.nodeList()[0]), null);
  assert.equal(plugin.reserve(state, pi, 'n2'), null);
  // A second pod cannot take the static volume while the first is in its binding cycle.
  const other = new CycleState();
  const p2 = newPodInfo(withClaims('l'));
  plugin.preFilter(other, p2);
  assert.match(verdict(plugin.filter(other, p2, cache.nodeList()[0])), /didn't find available persistent volumes/);
  const done = plugin.preBind(state, pi, 'n2');
  setTimeout(() => {
    for (const c of claims) Object.assign(c, { spec: { ...c.spec, volumeName: 'x' }, status: { phase: 'Bound' } });
  }, 30);
  assert.equal(await done, null);
  assert.deepEqual(writes, ['select a n2', 'bind l2 l']);
  // Timed out: an Error status naming the wait.
  const slow = new VolumeBinding(lister([claim('z')], []), { bindVolume: async () => {}, selectNode: async () => {} }, { pollMs: 5, bindTimeoutMs: 30 });
  const s2 = new CycleState();
  const pz = newPodInfo(pod('q', { spec: { containers: [{ name: 'c' }], volumes: [{ name: 'z', persistentVolumeClaim: { claimName: 'z' } }] } }));
  slow.preFilter(s2, pz);
  slow.reserve(s2, pz, 'n2');
  assert.equal(verdict(await slow.preBind(s2, pz, 'n2')), 'Error: binding volumes: context deadline exceeded');
});
