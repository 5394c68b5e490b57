// The node agent starts a pod's containers only once its PersistentVolumeClaims are Bound: until
// then the pod is ContainerCreating with FailedMount events, as the kubelet's volume manager does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { unmountedVolumes } from '../../src/node/volumes.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { cluster, EVENTS, pod, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const PVCS = { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true };
const claim = (name: string, bound: boolean): KubeObject => ({ metadata: { name, namespace: 'default' }, spec: bound ? { volumeName: 'v' } : {}, status: { phase: bound ? 'Bound' : 'Pending' } });

test('unmountedVolumes: the kubelet message for missing and unbound claims; undefined once all are Bound', () => {
  const p = pod('p', 'node-0', { volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-0' } }, { name: 'tmp', emptyDir: {} }] });
  const cases: { name: string; claims: KubeObject[]; want: string | undefined }[] = [
    { name: 'missing', claims: [], want: 'Unable to attach or mount volumes: unmounted volumes=[www], unattached volumes=[], failed to process volumes=[www]: error processing PVC default/www-0: failed to fetch PVC from API server: persistentvolumeclaims "www-0" not found' },
    { name: 'unbound', claims: [claim('www-0', false)], want: 'Unable to attach or mount volumes: unmounted volumes=[www], unattached volumes=[], failed to process volumes=[www]: error processing PVC default/www-0: PVC is not bound' },
    { name: 'bound', claims: [claim('www-0', true)], want: undefined },
  ];
  for (const c of cases) assert.equal(unmountedVolumes(p, (ns, n) => c.claims.find((x) => x.metadata.name === n && ns === 'default')), c.want, c.name);
  assert.equal(unmountedVolumes(pod('q', 'node-0'), () => undefined), undefined, 'no claims');
});

test('a pod whose claim is not Bound stays ContainerCreating with FailedMount, and runs once it is', async () => {
  const c = await cluster();
  const pool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings: { pullMs: 20, createMs: 10, startMs: 10 } });
  try {
    const pvcs = c.client.resource(PVCS);
    await pvcs.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } });
    await c.client.resource(PODS).create(pod('db', 'node-0', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] }));
    const ev = await eventually(async () => (await c.client.resource(EVENTS).list({ namespace: 'default' })).items.find((e: any) => e.reason === 'FailedMount' && e.involvedObject.name === 'db'), 'FailedMount');
    assert.match(String(ev.message), /unmounted volumes=\[data\].*error processing PVC default\/data: PVC is not bound/);
    await new Promise((r) => setTimeout(r, 300));
    const waiting = await c.client.resource(PODS).get('db', { namespace: 'default' });
    assert.equal(waiting.status?.phase, 'Pending');
    assert.equal(waiting.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    // Bind the claim (as the PV controller would): the containers start.
    await pvcs.patch('data', { spec: { volumeName: 'pv-1' } }, { namespace: 'default', type: 'merge' });
    await pvcs.patchSubresource('data', 'status', { status: { phase: 'Bound' } }, { namespace: 'default', type: 'merge' });
    await eventually(async () => (await c.client.resource(PODS).get('db', { namespace: 'default' })).status?.phase === 'Running', 'db Running');
  } finally {
    await pool.stop();
    await c.close();
  }
});
