// PriorityClasses' storage side (pkg/registry/scheduling/rest): the system classes every API server
// creates at start (system-node-critical, system-cluster-critical), and the lister Priority
// admission reads.
import { randomUUID } from 'node:crypto';
import { SYSTEM_PRIORITY_CLASSES } from '../../api/kinds/priorityclass.ts';
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix, type Store, type WatchCache } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';

const GROUP = 'scheduling.k8s.io';
const PLURAL = 'priorityclasses';

/** Every stored PriorityClass (the watch cache answers, so this is cheap per pod create). */
export function priorityClassLister(store: WatchCache): () => Promise<KubeObject[]> {
  return async () => (await store.listPage(resourcePrefix(GROUP, PLURAL), {})).items;
}

/** Creates the system classes that are absent (an existing one is left as it is). */
export async function bootstrapPriorityClasses(store: Store, registry: Registry): Promise<void> {
  const rt = registry.byResource(GROUP, 'v1', PLURAL);
  if (!rt) return;
  for (const c of SYSTEM_PRIORITY_CLASSES) {
    const key = objectKey(GROUP, PLURAL, undefined, c.name);
    if (await store.get(key)) continue;
    const pc: KubeObject = {
      apiVersion: `${GROUP}/v1`,
      kind: 'PriorityClass',
      metadata: { name: c.name, uid: randomUUID(), creationTimestamp: timestamp() },
      value: c.value,
      globalDefault: c.globalDefault,
      description: c.description,
    };
    rt.defaults(pc);
    try {
      await store.create(key, pc);
    } catch {
      // created concurrently by another replica: fine
    }
  }
}
