// meta.k8s.io/v1 Table conversion for `kubectl get` (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
// Columns and cells come from the registry entry (ResourceType.table); Name is prepended unless the
// kind prints without it (Event). Each row embeds the object's metadata (kubectl's -A and
// --show-labels read it) or the whole object for includeObject=Object (--sort-by).
import type { KubeObject, ListMeta } from '../api/types.ts';
import type { ResourceType, TableColumn } from '../api/resource.ts';
import { apiVersionOf } from '../api/types.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** Whether an Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((s) => s.trim());
    return params.includes('as=Table') && (params.includes('g=meta.k8s.io') || !params.some((p) => p.startsWith('g=')));
  });
}

/** The includeObject query parameter (default Metadata); anything else is answered as Metadata. */
export function includeObjectOf(value: string | null | undefined): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

function rowObject(rt: ResourceType, o: KubeObject, include: IncludeObject): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return { apiVersion: apiVersionOf(rt.group, rt.version), kind: rt.kind, ...o };
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export interface TableOptions {
  includeObject?: IncludeObject;
  listMeta?: ListMeta;
  now?: Date;
  /** Watch events after the first one may leave the column definitions out. */
  omitColumns?: boolean;
}

export function columnsOf(rt: ResourceType): TableColumn[] {
  return rt.table.nameColumn === false ? rt.table.columns : [NAME_COLUMN, ...rt.table.columns];
}

export function toTable(rt: ResourceType, items: KubeObject[], opts: TableOptions = {}): object {
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const withName = rt.table.nameColumn !== false;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.omitColumns ? null : columnsOf(rt),
    rows: items.map((o) => {
      const cells = rt.table.cells(o, now);
      const row: Record<string, unknown> = { cells: withName ? [o.metadata.name, ...cells] : cells };
      const object = rowObject(rt, o, include);
      if (object) row.object = object;
      return row;
    }),
  };
}
