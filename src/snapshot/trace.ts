// Traces of a cluster's changes: `kubesim record` writes one JSON line per change — `{t, type,
// object}` with t the milliseconds since the recording started — and `kubesim simulate --replay`
// reads them back. The recording starts with the state then (every object as ADDED at t 0), then
// follows a watch per resource. By default only top-level objects are recorded (no controller
// ownerReference: what users and their tools made; what controllers make, the replaying cluster's
// controllers make again), no Events and no Leases, and a MODIFIED only when something besides
// status and server-kept metadata changed.
import type { KubeObject } from '../api/types.ts';

export type TraceType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface TraceEvent {
  /** Milliseconds since the recording started. */
  t: number;
  type: TraceType;
  object: KubeObject;
}

export class TraceError extends Error {}

export interface RecordFilter {
  /** Record objects a controller owns too (default false). */
  owned?: boolean;
  /** Record Events (default false). */
  events?: boolean;
}

/** Whether the recorder keeps changes of this object (pure). */
export function recordable(o: KubeObject, f: RecordFilter = {}): boolean {
  const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
  if (o.kind === 'Event' && (group === '' || group === 'events.k8s.io')) return !!f.events;
  if (o.kind === 'Lease' && group === 'coordination.k8s.io') return false;
  if (!f.owned && (o.metadata.ownerReferences ?? []).some((r) => r.controller)) return false;
  return true;
}

/** Annotations controllers write on the objects users made (the Deployment controller's revision...). */
const CONTROLLER_ANNOTATION_PREFIXES = ['deployment.kubernetes.io/'];

/** The object without the annotations its controllers write (pure; a copy when there were any). */
export function withoutControllerAnnotations(o: KubeObject): KubeObject {
  const ann = o.metadata.annotations;
  if (!ann || !Object.keys(ann).some((k) => CONTROLLER_ANNOTATION_PREFIXES.some((p) => k.startsWith(p)))) return o;
  const kept = Object.fromEntries(Object.entries(ann).filter(([k]) => !CONTROLLER_ANNOTATION_PREFIXES.some((p) => k.startsWith(p))));
  const { annotations: _a, ...meta } = o.metadata;
  return { ...o, metadata: Object.keys(kept).length ? { ...meta, annotations: kept } : meta };
}

/** What a change must alter to be recorded: the object without status, resourceVersion, managedFields, generation, controllers' annotations. */
export function essence(o: KubeObject): string {
  const { status: _s, metadata, ...rest } = withoutControllerAnnotations(o) as Record<string, any>;
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = metadata ?? {};
  return JSON.stringify({ ...rest, metadata: meta });
}

export function traceLine(e: TraceEvent): string {
  return JSON.stringify(e) + '\n';
}

/** The events of a trace file, in file order (t must not go back). */
export function parseTrace(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  let last = 0;
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let e: any;
    try {
      e = JSON.parse(line);
    } catch (err) {
      throw new TraceError(`line ${i + 1}: not JSON: ${(err as Error).message}`);
    }
    if (typeof e?.t !== 'number' || e.t < 0 || !['ADDED', 'MODIFIED', 'DELETED'].includes(e.type) || typeof e.object?.kind !== 'string' || typeof e.object?.apiVersion !== 'string' || typeof e.object?.metadata?.name !== 'string') {
      throw new TraceError(`line ${i + 1}: a trace line is {"t": ms, "type": ADDED|MODIFIED|DELETED, "object": {apiVersion, kind, metadata.name, ...}}`);
    }
    if (e.t < last) throw new TraceError(`line ${i + 1}: t ${e.t} is before the previous line's ${last}`);
    last = e.t;
    out.push(e as TraceEvent);
  }
  return out;
}
