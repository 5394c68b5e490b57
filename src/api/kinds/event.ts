// Event in core/v1 and events.k8s.io/v1. Both print with the same table (LAST SEEN TYPE REASON OBJECT
// MESSAGE, no leading NAME) and support the same field selectors; converters map one to the other.
import type { KubeObject } from '../types.ts';
import { invalidValue, notSupported, required } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { col, defineKind, getPath, translateTimestampSince } from '../meta.ts';
import type { FieldGetter } from '../meta.ts';
import { int, microTime, obj, str, time } from '../schema.ts';
import { objectReferenceSchema } from './common.ts';

const sourceSchema = obj('EventSource contains information for an event.', {
  component: str('Component from which the event is generated.'),
  host: str('Node name on which the event is generated.'),
});

const seriesSchema = obj('EventSeries contain information on series of events.', {
  count: int('Number of occurrences in this series up to the last heartbeat time.'),
  lastObservedTime: microTime('Time of the last occurrence observed.'),
});

const EVENT_TYPES = ['Normal', 'Warning'];

const str0 = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Field selectors of core/v1 Event, read through `ref` (involvedObject or regarding). */
function eventFieldSelectors(ref: string, source: (o: KubeObject) => string, reportingComponent: string): Record<string, FieldGetter> {
  const g: Record<string, FieldGetter> = {};
  for (const f of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    g[`involvedObject.${f}`] = (o) => str0(getPath(o, `${ref}.${f}`));
  }
  g['reason'] = (o) => str0(o.reason);
  g['reportingComponent'] = (o) => str0(o[reportingComponent]);
  g['source'] = source;
  g['type'] = (o) => str0(o.type);
  return g;
}

function eventsV1FieldSelectors(): Record<string, FieldGetter> {
  const g: Record<string, FieldGetter> = {};
  for (const f of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    g[`regarding.${f}`] = (o) => str0(getPath(o, `regarding.${f}`));
  }
  g['reason'] = (o) => str0(o.reason);
  g['reportingController'] = (o) => str0(o.reportingController);
  g['type'] = (o) => str0(o.type);
  return g;
}

export const eventColumns = [
  col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
  col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  col('Object', 'string', 'The object that this event is about.'),
  col('Subobject', 'string', 'The object that this event is about: fieldPath.', 1),
  col('Source', 'string', 'The component reporting this event.', 1),
  col('Message', 'string', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
  col('Count', 'string', 'The number of times this event has occurred.', 1),
  col('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
];

/** printers.go printEvent (the server prints wide: all ten cells), for a core/v1-shaped event. */
export function coreEventCells(o: KubeObject, now: Date): unknown[] {
  const first = o.firstTimestamp ? translateTimestampSince(o.firstTimestamp as string, now) : translateTimestampSince(o.eventTime as string, now);
  let last = o.lastTimestamp ? translateTimestampSince(o.lastTimestamp as string, now) : first;
  let count = (o.count as number) ?? 0;
  const series = o.series as any;
  if (series) {
    last = translateTimestampSince(series.lastObservedTime, now);
    count = series.count ?? 0;
  } else if (count === 0) count = 1;
  const io = (o.involvedObject as any) ?? {};
  const kind = String(io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const src = (o.source as any) ?? {};
  const component = src.component || (o.reportingComponent as string) || '';
  const instance = src.host || (o.reportingInstance as string) || '';
  return [
    last,
    o.type ?? '',
    o.reason ?? '',
    target,
    io.fieldPath ?? '',
    instance ? `${component}, ${instance}` : component,
    String(o.message ?? '').trim(),
    first,
    count,
    o.metadata.name ?? '',
  ];
}

export const coreEvent = defineKind({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  fieldSelectors: eventFieldSelectors('involvedObject', (o) => str0((o.source as any)?.component), 'reportingComponent'),
  description: 'Event is a report of an event somewhere in the cluster.',
  fields: {
    involvedObject: objectReferenceSchema,
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    message: str('A human-readable description of the status of this operation.'),
    source: sourceSchema,
    firstTimestamp: time('The time at which the event was first recorded.'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    count: int('The number of times this event has occurred.'),
    type: str('Type of this event (Normal, Warning), new types could be added in the future.'),
    eventTime: microTime('Time when this Event was first observed.'),
    series: seriesSchema,
    action: str('What action was taken/failed regarding to the Regarding object.'),
    related: objectReferenceSchema,
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    const io = (o.involvedObject as any) ?? {};
    const ns = o.metadata.namespace;
    if (io.namespace && ns && io.namespace !== ns) errs.push(invalidValue('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
    if (o.type && !EVENT_TYPES.includes(o.type as string)) errs.push(notSupported('type', o.type, EVENT_TYPES));
    return errs;
  },
  columns: eventColumns,
  cells: coreEventCells,
  nameColumn: false,
});

/** events.k8s.io/v1 Event → core/v1 shape (for printing and for storing one form). */
export function eventsV1ToCore(o: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: o.metadata,
    involvedObject: o.regarding ?? {},
    reason: o.reason,
    message: o.note,
    source: o.deprecatedSource,
    firstTimestamp: o.deprecatedFirstTimestamp,
    lastTimestamp: o.deprecatedLastTimestamp,
    count: o.deprecatedCount,
    type: o.type,
    eventTime: o.eventTime,
    series: o.series,
    action: o.action,
    related: o.related,
    reportingComponent: o.reportingController,
    reportingInstance: o.reportingInstance,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** core/v1 Event → events.k8s.io/v1 shape. */
export function coreToEventsV1(o: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: o.metadata,
    eventTime: o.eventTime ?? null,
    series: o.series,
    reportingController: o.reportingComponent,
    reportingInstance: o.reportingInstance,
    action: o.action,
    reason: o.reason,
    regarding: o.involvedObject,
    related: o.related,
    note: o.message,
    type: o.type,
    deprecatedSource: o.source,
    deprecatedFirstTimestamp: o.firstTimestamp,
    deprecatedLastTimestamp: o.lastTimestamp,
    deprecatedCount: o.count,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export const eventsV1Event = defineKind({
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  // events.k8s.io/v1 field labels (pkg/apis/events/v1 conversion): regarding.*, reportingController.
  fieldSelectors: eventsV1FieldSelectors(),
  description: 'Event is a report of an event somewhere in the cluster.',
  fields: {
    eventTime: microTime('eventTime is the time when this Event was first observed. It is required.'),
    series: seriesSchema,
    reportingController: str('reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`.'),
    action: str('action is what action was taken/failed regarding to the regarding object.'),
    reason: str('reason is why the action was taken. It is human-readable.'),
    regarding: objectReferenceSchema,
    related: objectReferenceSchema,
    note: str('note is a human-readable description of the status of this operation.'),
    type: str('type is the type of this event (Normal, Warning), new types could be added in the future.'),
    deprecatedSource: sourceSchema,
    deprecatedFirstTimestamp: time('deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedLastTimestamp: time('deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedCount: int('deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.'),
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    if (!o.eventTime) errs.push(required('eventTime'));
    if (!o.reportingController) errs.push(required('reportingController'));
    if (!o.reportingInstance) errs.push(required('reportingInstance'));
    if (!o.action) errs.push(required('action'));
    if (!o.reason) errs.push(required('reason'));
    if (!o.type) errs.push(required('type'));
    else if (!EVENT_TYPES.includes(o.type as string)) errs.push(notSupported('type', o.type, EVENT_TYPES));
    if (typeof o.note === 'string' && o.note.length > 1024) errs.push({ field: 'note', type: 'FieldValueTooLong', detail: 'Too long: may not be more than 1024 bytes' });
    const r = (o.regarding as any) ?? {};
    if (r.namespace && o.metadata.namespace && r.namespace !== o.metadata.namespace) errs.push(invalidValue('regarding.namespace', r.namespace, 'does not match event.namespace'));
    return errs;
  },
  columns: eventColumns,
  cells: (o, now) => coreEventCells(eventsV1ToCore(o), now),
  nameColumn: false,
});
