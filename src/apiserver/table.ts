// meta.k8s.io/v1 Table conversion for `kubectl get` (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
// STUB: replaced by the full implementation (see issue 3).
import type { KubeObject, ListMeta } from '../api/types.ts';
import type { ResourceType } from '../api/resource.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Whether an Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

export function toTable(rt: ResourceType, items: KubeObject[], opts: { includeObject?: IncludeObject; listMeta?: ListMeta; now?: Date } = {}): object {
  const now = opts.now ?? new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 }, ...rt.table.columns],
    rows: items.map((o) => ({
      cells: [o.metadata.name, ...rt.table.cells(o, now)],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
