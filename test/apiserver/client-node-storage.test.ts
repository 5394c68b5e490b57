// @kubernetes/client-node 1.4's typed storage APIs against the API server: read, change, write back
// (replace) PersistentVolume, PersistentVolumeClaim, StorageClass, CSIDriver, CSINode, VolumeAttachment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { clientNodeServer } from '../helpers/client-node.ts';

test('@kubernetes/client-node: typed read-modify-write of the storage kinds', async () => {
  const { kc, close } = await clientNodeServer();
  try {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const storage = kc.makeApiClient(k8s.StorageV1Api);
    const label = <T extends { metadata?: k8s.V1ObjectMeta }>(o: T): T => ({ ...o, metadata: { ...o.metadata, labels: { ...(o.metadata?.labels ?? {}), touched: 'yes' } } });

    const sc = await storage.readStorageClass({ name: 'standard' });
    assert.equal(sc.provisioner, 'kubesim.io/simulated');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal((await storage.replaceStorageClass({ name: 'standard', body: label(sc) })).metadata?.labels?.touched, 'yes');

    await core.createPersistentVolume({ body: { metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data/pv1' } } } });
    const pv = await core.readPersistentVolume({ name: 'pv1' });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal((await core.replacePersistentVolume({ name: 'pv1', body: label(pv) })).metadata?.labels?.touched, 'yes');

    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { metadata: { name: 'c1' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } });
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'c1' });
    assert.equal(pvc.spec?.storageClassName, 'standard');
    assert.equal(pvc.status?.phase, 'Pending');
    assert.equal((await core.replaceNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'c1', body: label(pvc) })).metadata?.labels?.touched, 'yes');

    await storage.createCSIDriver({ body: { metadata: { name: 'hostpath.csi.k8s.io' }, spec: {} } });
    const drv = await storage.readCSIDriver({ name: 'hostpath.csi.k8s.io' });
    assert.equal(drv.spec.attachRequired, true);
    assert.equal((await storage.replaceCSIDriver({ name: drv.metadata!.name!, body: label(drv) })).metadata?.labels?.touched, 'yes');

    await storage.createCSINode({ body: { metadata: { name: 'node-0' }, spec: { drivers: [{ name: 'hostpath.csi.k8s.io', nodeID: 'node-0' }] } } });
    const cn = await storage.readCSINode({ name: 'node-0' });
    assert.equal((await storage.replaceCSINode({ name: 'node-0', body: label(cn) })).metadata?.labels?.touched, 'yes');

    await storage.createVolumeAttachment({ body: { metadata: { name: 'va1' }, spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'node-0', source: { persistentVolumeName: 'pv1' } } } });
    const va = await storage.readVolumeAttachment({ name: 'va1' });
    assert.equal((await storage.replaceVolumeAttachment({ name: 'va1', body: label(va) })).metadata?.labels?.touched, 'yes');
  } finally {
    await close();
  }
});
