// Kubelet Events as the kubelet's recorder builds them (correlation: src/client/eventcorrelator.ts,
// via eventsink.ts). Writes go through the pool's writer at the lowest priority; when the queue
// is full the oldest pending events are dropped (as a real kubelet's broadcaster drops).
import type { KubeObject } from '../api/types.ts';
import { rfc3339 } from './units.ts';
import { eventName } from '../api/core/eventname.ts';

export interface EventInput {
  involved: { kind: string; namespace?: string; name: string; uid?: string; apiVersion?: string; fieldPath?: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  host: string;
  at: number;
}

/** The Event object for a first occurrence (name: eventName's <object>.<hex>, like client-go's <name>.<unixnano hex>). */
export function buildEvent(e: EventInput): KubeObject {
  const ts = rfc3339(e.at);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(e.involved.name, e.at),
      namespace: e.involved.namespace ?? 'default',
    },
    involvedObject: { apiVersion: 'v1', ...e.involved },
    reason: e.reason,
    message: e.message,
    source: { component: 'kubelet', host: e.host },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    type: e.type,
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: e.host,
  };
}
