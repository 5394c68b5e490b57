// StorageClasses' REST storage side: the stored classes (for the storage admission plugins) and the
// default class every kubesim API server starts with.
//
// `standard` is marked default, as kind's and minikube's are, and is provisioned by kubesim's
// simulated provisioner. Its binding mode is WaitForFirstConsumer, as kind's `standard`
// (rancher.io/local-path) is: kubesim simulates multi-node clusters whose simulated volumes are
// node-local, so a claim is provisioned on the node its first pod is scheduled to (the PV gets node
// affinity to it), never on a node the pod cannot run on. Volume expansion is allowed (kind's and
// minikube's classes do not), so `kubectl edit pvc` resizing can be tried against the simulation.
import { randomUUID } from 'node:crypto';
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import { ANN_DEFAULT_CLASS, SIMULATED_PROVISIONER } from '../../api/core/volumes.ts';
import { objectKey, resourcePrefix, type Store } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';

const GROUP = 'storage.k8s.io';
const PLURAL = 'storageclasses';

/** Every stored StorageClass (read per admission request; classes are few). */
export function storageClassLister(store: Store): () => Promise<KubeObject[]> {
  return async () => (await store.list(resourcePrefix(GROUP, PLURAL))).items.map((e) => e.object);
}

/** Creates the default StorageClass `standard` when the server starts and no class of that name exists. */
export async function ensureDefaultStorageClass(store: Store, registry: Registry): Promise<void> {
  const rt = registry.byResource(GROUP, 'v1', PLURAL);
  if (!rt) return;
  const key = objectKey(GROUP, PLURAL, undefined, 'standard');
  if (await store.get(key)) return;
  const sc: KubeObject = {
    apiVersion: `${GROUP}/v1`,
    kind: 'StorageClass',
    metadata: { name: 'standard', uid: randomUUID(), creationTimestamp: timestamp(), annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: SIMULATED_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
  rt.defaults(sc);
  try {
    await store.create(key, sc);
  } catch {
    // created concurrently by another replica: fine
  }
}
