// The PV controller's decisions, table-driven: matching (smallest fit, class, modes, selector,
// pre-bound, WaitForFirstConsumer), provisioning, claim phases, release and reclaim, expansion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { claimInUse, findBestMatch, planClaim, planVolume, provisionedVolume, type ClaimView } from '../../src/controllers/volume/plan.ts';

const claim = (o: { name?: string; size?: string; modes?: string[]; cls?: string | null; volumeName?: string; phase?: string; selector?: any; ann?: Record<string, string>; capacity?: string } = {}): KubeObject => ({
  metadata: { name: o.name ?? 'data', namespace: 'default', uid: `uid-${o.name ?? 'data'}`, annotations: o.ann },
  spec: {
    accessModes: o.modes ?? ['ReadWriteOnce'],
    resources: { requests: { storage: o.size ?? '1Gi' } },
    ...(o.cls === null ? {} : { storageClassName: o.cls ?? 'standard' }),
    ...(o.volumeName ? { volumeName: o.volumeName } : {}),
    ...(o.selector ? { selector: o.selector } : {}),
    volumeMode: 'Filesystem',
  },
  status: { phase: o.phase ?? 'Pending', ...(o.capacity ? { capacity: { storage: o.capacity } } : {}) },
});

const pv = (name: string, o: { size?: string; modes?: string[]; cls?: string; phase?: string; claimRef?: any; labels?: Record<string, string>; node?: string; policy?: string; ann?: Record<string, string> } = {}): KubeObject => ({
  metadata: { name, labels: o.labels, annotations: o.ann },
  spec: {
    capacity: { storage: o.size ?? '1Gi' },
    accessModes: o.modes ?? ['ReadWriteOnce'],
    storageClassName: o.cls ?? 'standard',
    volumeMode: 'Filesystem',
    persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
    hostPath: { path: `/data/${name}` },
    ...(o.claimRef ? { claimRef: o.claimRef } : {}),
    ...(o.node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } } : {}),
  },
  status: { phase: o.phase ?? 'Available' },
});

const sc = (name: string, mode: 'Immediate' | 'WaitForFirstConsumer', provisioner = 'kubesim.io/simulated'): KubeObject => ({
  metadata: { name },
  provisioner,
  reclaimPolicy: 'Delete',
  volumeBindingMode: mode,
});

const classes = new Map([
  ['standard', sc('standard', 'WaitForFirstConsumer')],
  ['fast', sc('fast', 'Immediate')],
  ['local', sc('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner')],
]);

test('findBestMatch: the smallest fitting Available volume of the class, modes and selector; pre-bound first', () => {
  const vols = [pv('big', { size: '10Gi', cls: 'fast' }), pv('small', { size: '2Gi', cls: 'fast' }), pv('tiny', { size: '500Mi', cls: 'fast' }), pv('rwx', { size: '1Gi', cls: 'fast', modes: ['ReadWriteMany'] })];
  const cases: { name: string; claim: KubeObject; vols: KubeObject[]; delay?: boolean; node?: string; want: string | undefined }[] = [
    { name: 'smallest fit', claim: claim({ cls: 'fast' }), vols, want: 'small' },
    { name: 'too big for all', claim: claim({ cls: 'fast', size: '20Gi' }), vols, want: undefined },
    { name: 'class must match', claim: claim({ cls: 'other' }), vols, want: undefined },
    { name: 'access modes superset', claim: claim({ cls: 'fast', modes: ['ReadWriteMany'] }), vols, want: 'rwx' },
    { name: 'bound volumes are skipped', claim: claim({ cls: 'fast' }), vols: [pv('b', { cls: 'fast', claimRef: { namespace: 'x', name: 'y', uid: 'u' }, phase: 'Bound' })], want: undefined },
    { name: 'non-Available phase skipped', claim: claim({ cls: 'fast' }), vols: [pv('r', { cls: 'fast', phase: 'Released' })], want: undefined },
    { name: 'selector', claim: claim({ cls: 'fast', selector: { matchLabels: { tier: 'gold' } } }), vols: [pv('plain', { cls: 'fast' }), pv('gold', { cls: 'fast', size: '5Gi', labels: { tier: 'gold' } })], want: 'gold' },
    { name: 'pre-bound wins over a smaller fit', claim: claim({ cls: 'fast' }), vols: [...vols, pv('mine', { cls: 'fast', size: '10Gi', claimRef: { namespace: 'default', name: 'data' } })], want: 'mine' },
    { name: 'delay binding without a node: no static pick', claim: claim({ cls: 'fast' }), vols, delay: true, want: undefined },
    { name: 'with a node: affinity respected', claim: claim({ cls: 'fast' }), vols: [pv('n1', { cls: 'fast', node: 'n1' }), pv('n2', { cls: 'fast', size: '5Gi', node: 'n2' })], delay: true, node: 'n2', want: 'n2' },
  ];
  for (const c of cases) {
    const got = findBestMatch(c.claim, c.vols, { delayBinding: !!c.delay, ...(c.node ? { node: { name: c.node, labels: { 'kubernetes.io/hostname': c.node } } } : {}) });
    assert.equal(got?.metadata.name, c.want, c.name);
  }
});

test('planClaim: what an unbound claim does next', () => {
  const view = (c: KubeObject, volumes: KubeObject[] = [], defaultClass?: string): ClaimView => ({ claim: c, volumes, classes, defaultClass });
  const cases: { name: string; v: ClaimView; want: string }[] = [
    { name: 'WaitForFirstConsumer without a selected node waits', v: view(claim()), want: 'waitForFirstConsumer' },
    { name: 'WaitForFirstConsumer with a selected node provisions', v: view(claim({ ann: { 'volume.kubernetes.io/selected-node': 'n1' } })), want: 'provision' },
    { name: 'Immediate provisions at once', v: view(claim({ cls: 'fast' })), want: 'provision' },
    { name: 'Immediate binds an existing fit first', v: view(claim({ cls: 'fast' }), [pv('a', { cls: 'fast' })]), want: 'bind' },
    { name: 'no class, no volume', v: view(claim({ cls: '' })), want: 'pending:FailedBinding' },
    { name: 'unknown class', v: view(claim({ cls: 'gone' })), want: 'pending:ProvisioningFailed' },
    { name: 'no-provisioner waits for a volume', v: view(claim({ cls: 'local', ann: { 'volume.kubernetes.io/selected-node': 'n1' } })), want: 'pending:ExternalProvisioning' },
    { name: 'nil class gets the default', v: view(claim({ cls: null }), [], 'standard'), want: 'setClass' },
    { name: 'already provisioned: wait for it to bind', v: view(claim({ cls: 'fast' }), [pv('pvc-uid-data', { cls: 'other', phase: 'Pending' })]), want: 'none' },
  ];
  for (const c of cases) {
    const a = planClaim(c.v);
    assert.equal(a.kind === 'pending' ? `pending:${a.reason}` : a.kind, c.want, c.name);
  }
});

test('planClaim: bound claims, lost volumes, expansion', () => {
  const ref = { namespace: 'default', name: 'data', uid: 'uid-data' };
  const bound = claim({ volumeName: 'v', phase: 'Bound', capacity: '1Gi' });
  const cases: { name: string; c: KubeObject; vol?: KubeObject; want: string }[] = [
    { name: 'fully bound', c: bound, vol: pv('v', { claimRef: ref, phase: 'Bound' }), want: 'none' },
    { name: 'volume status not yet Bound', c: bound, vol: pv('v', { claimRef: ref }), want: 'bind' },
    { name: 'user pre-bound the claim to a free volume', c: claim({ volumeName: 'v' }), vol: pv('v'), want: 'bind' },
    { name: 'volume gone after binding', c: bound, want: 'lost:ClaimLost' },
    { name: 'volume of another claim', c: claim({ volumeName: 'v' }), vol: pv('v', { claimRef: { namespace: 'default', name: 'other', uid: 'x' }, phase: 'Bound' }), want: 'pending:FailedBinding' },
    { name: 'request grew: expand', c: claim({ volumeName: 'v', phase: 'Bound', capacity: '1Gi', size: '2Gi' }), vol: pv('v', { claimRef: ref, phase: 'Bound' }), want: 'expand' },
    { name: 'volume grew: status follows', c: claim({ volumeName: 'v', phase: 'Bound', capacity: '1Gi', size: '2Gi' }), vol: pv('v', { claimRef: ref, phase: 'Bound', size: '2Gi' }), want: 'bind' },
  ];
  for (const c of cases) {
    const a = planClaim({ claim: c.c, volume: c.vol, volumes: c.vol ? [c.vol] : [], classes });
    assert.equal(a.kind === 'pending' || a.kind === 'lost' ? `${a.kind}:${a.reason}` : a.kind, c.want, c.name);
  }
});

test('provisionedVolume: pvc-<uid>, the claim size and modes, the class policy, node affinity to the selected node', () => {
  const v = provisionedVolume(claim({ size: '3Gi' }), sc('standard', 'WaitForFirstConsumer'), 'n7');
  assert.equal(v.metadata.name, 'pvc-uid-data');
  assert.deepEqual(v.spec.capacity, { storage: '3Gi' });
  assert.deepEqual(v.spec.accessModes, ['ReadWriteOnce']);
  assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(v.spec.claimRef.uid, 'uid-data');
  assert.deepEqual(v.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: ['n7'] });
  assert.equal(v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'kubesim.io/simulated');
  assert.equal(provisionedVolume(claim(), sc('fast', 'Immediate')).spec.nodeAffinity, undefined);
});

test('planVolume: Available, Bound, Released, reclaim Delete / Retain / Recycle, rollback', () => {
  const c = claim({ volumeName: 'v', phase: 'Bound' });
  const ref = { namespace: 'default', name: 'data', uid: 'uid-data' };
  const cases: { name: string; vol: KubeObject; claim?: KubeObject; want: string }[] = [
    { name: 'new volume becomes Available', vol: pv('v', { phase: 'Pending' }), want: 'phase:Available' },
    { name: 'available stays', vol: pv('v'), want: 'none' },
    { name: 'claimed by an existing claim → Bound', vol: pv('v', { claimRef: ref, phase: 'Available' }), claim: c, want: 'phase:Bound' },
    { name: 'claim gone → Released', vol: pv('v', { claimRef: ref, phase: 'Bound', policy: 'Delete' }), want: 'phase:Released' },
    { name: 'released with Delete → deleted', vol: pv('v', { claimRef: ref, phase: 'Released', policy: 'Delete' }), want: 'delete' },
    { name: 'released with Retain stays', vol: pv('v', { claimRef: ref, phase: 'Released', policy: 'Retain' }), want: 'none' },
    { name: 'released with Recycle → Available again', vol: pv('v', { claimRef: ref, phase: 'Released', policy: 'Recycle' }), want: 'recycle' },
    { name: 'claim re-created with another uid → Released', vol: pv('v', { claimRef: { ...ref, uid: 'old' }, phase: 'Bound' }), claim: c, want: 'phase:Released' },
    { name: 'controller binding lost to another volume → unbind', vol: pv('v2', { claimRef: ref, phase: 'Bound', ann: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }), claim: c, want: 'unbind' },
  ];
  for (const x of cases) {
    const a = planVolume(x.vol, x.claim);
    assert.equal(a.kind === 'phase' ? `phase:${a.phase}` : a.kind, x.want, x.name);
  }
});

test('claimInUse: a non-terminated pod in the namespace mounting the claim', () => {
  const c = claim();
  const pod = (phase: string, ns = 'default'): KubeObject => ({ metadata: { name: 'p', namespace: ns }, spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }, status: { phase } });
  assert.equal(claimInUse(c, [pod('Running')]), true);
  assert.equal(claimInUse(c, [pod('Succeeded')]), false);
  assert.equal(claimInUse(c, [pod('Running', 'other')]), false);
  assert.equal(claimInUse(c, []), false);
});
