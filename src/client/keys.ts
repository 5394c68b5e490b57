// Cache keys (client-go tools/cache MetaNamespaceKeyFunc, DeletionHandlingMetaNamespaceKeyFunc,
// SplitMetaNamespaceKey): "namespace/name", or "name" for cluster-scoped objects. The rule itself is
// api/core's; this module adds the informer's delete tombstone. Components key their queues with these.
import { metaNamespaceKey as objectKey, splitMetaNamespaceKey } from '../api/core/keys.ts';
import type { KubeObject } from '../api/types.ts';

export { splitMetaNamespaceKey };

/** Given to onDelete when the delete was not seen as such (it vanished across a relist); obj is the last known state. */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: T,
  ) {}
}

/** The object inside a delete notification, whichever form it has. */
export function deletedObject<T>(o: T | DeletedFinalStateUnknown<T>): T {
  return o instanceof DeletedFinalStateUnknown ? o.obj : o;
}

/** `namespace/name`, or `name` for cluster-scoped objects; a tombstone's own key. */
export function metaNamespaceKey(obj: Pick<KubeObject, 'metadata'> | DeletedFinalStateUnknown<unknown>): string {
  if (obj instanceof DeletedFinalStateUnknown) return obj.key;
  return objectKey(obj);
}
