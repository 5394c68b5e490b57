// Snapshots of a cluster (save, plan, restore) and traces of its changes (record, read).
export { discover, kindMap, resourcesOf, type ServedResource } from './discovery.ts';
export { saveSnapshot, toYaml, type SaveOptions } from './save.ts';
export { parseSnapshot, planRestore, nodePools, cleanForCreate, skipReason, SnapshotError, type RestorePlan, type NodePoolShape } from './plan.ts';
export { restoreSnapshot, type RestoreResult } from './restore.ts';
export { parseTrace, traceLine, recordable, essence, withoutControllerAnnotations, TraceError, type TraceEvent, type TraceType, type RecordFilter } from './trace.ts';
export { record, type Recording } from './record.ts';
