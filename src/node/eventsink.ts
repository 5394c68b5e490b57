// The pool's event sink: records kubelet Events for pods and nodes, correlated as client-go's
// EventCorrelator does (src/client/eventcorrelator.ts: similar events combined, repeats as a count
// PATCH, a spam filter per node+object), written through the writer at the lowest priority; the
// repeats of one Event queued meanwhile leave as one PATCH with the latest count. A partitioned
// node's pod events never arrive; `events: false` turns them all off.
import { EventCorrelator, writeCorrelated } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { EVENTS, type PoolContext, type SimNode } from './context.ts';
import { buildEvent, type EventInput } from './events.ts';
import type { PodSim, SimEvent } from './podsim.ts';
import { Priority } from './writer.ts';

export class EventSink {
  readonly correlator: EventCorrelator;
  /** The latest count update of each Event whose PATCH is queued (by namespace/name). */
  private readonly pendingPatches = new Map<string, { event: KubeObject; patch: object }>();

  constructor(private readonly ctx: PoolContext) {
    this.correlator = new EventCorrelator({ clock: ctx.clock });
  }

  podEvent(sim: PodSim, sn: SimNode, ev: Omit<SimEvent, 'fieldPath'> & { fieldPath?: string }): void {
    if (sn.partitioned) return; // a cut-off kubelet's events never arrive
    this.record({
      involved: { kind: 'Pod', namespace: sim.namespace, name: sim.name, uid: sim.uid, apiVersion: 'v1', ...(ev.fieldPath ? { fieldPath: ev.fieldPath } : {}) },
      type: ev.type,
      reason: ev.reason,
      message: ev.message,
      host: sn.name,
      at: ev.at,
    });
  }

  nodeEvent(sn: SimNode, type: 'Normal' | 'Warning', reason: string, message: string, at: number): void {
    // The kubelet refers to its Node with the node name as uid.
    this.record({ involved: { kind: 'Node', name: sn.name, uid: sn.name, apiVersion: 'v1' }, type, reason, message, host: sn.name, at });
  }

  private record(input: EventInput): void {
    const { ctx } = this;
    if (ctx.opts.events === false || ctx.stopped) return;
    ctx.metrics.events.inc({ reason: input.reason });
    const r = this.correlator.correlate(buildEvent(input));
    if (r.skip) return; // the spam filter dropped it
    const events = ctx.client.resource(EVENTS);
    if (!r.patch) {
      ctx.writer.enqueue(Priority.Event, undefined, () => writeCorrelated(events, this.correlator, r.event));
      return;
    }
    const key = `${r.event.metadata.namespace}/${r.event.metadata.name}`;
    this.pendingPatches.set(key, { event: r.event, patch: r.patch });
    ctx.writer.enqueue(Priority.Event, key, async () => {
      const p = this.pendingPatches.get(key);
      if (!p) return;
      this.pendingPatches.delete(key);
      await writeCorrelated(events, this.correlator, p.event, p.patch);
    });
  }
}
