// The pool's event sink: records kubelet Events for pods and nodes, aggregated as client-go's
// correlator does (events.ts), written through the writer at the lowest priority. A partitioned
// node's pod events never arrive; `events: false` turns them all off.
import { StatusError } from '../api/errors.ts';
import { EVENTS, type PoolContext, type SimNode } from './context.ts';
import { aggregationKey, buildEvent, EventCache, type EventInput } from './events.ts';
import type { PodSim, SimEvent } from './podsim.ts';
import { rfc3339 } from './units.ts';
import { Priority } from './writer.ts';

export class EventSink {
  readonly cache = new EventCache();
  private seq = 0;

  constructor(private readonly ctx: PoolContext) {}

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
    const key = aggregationKey(input);
    const hit = this.cache.get(key);
    if (hit) {
      hit.count++;
      hit.lastUsed = input.at;
      ctx.writer.enqueue(Priority.Event, key, () => this.writeUpdate(key));
      return;
    }
    const obj = buildEvent(input, ++this.seq);
    this.cache.set(key, { name: obj.metadata.name!, namespace: obj.metadata.namespace!, count: 1, lastUsed: input.at });
    ctx.writer.enqueue(Priority.Event, undefined, async () => {
      const created = await ctx.client.resource(EVENTS).create(obj);
      const entry = this.cache.get(key);
      if (entry && entry.name === obj.metadata.name) {
        entry.written = created;
        if (entry.count > 1) ctx.writer.enqueue(Priority.Event, key, () => this.writeUpdate(key));
      }
    });
  }

  private async writeUpdate(key: string): Promise<void> {
    const entry = this.cache.get(key);
    if (!entry?.written) return; // the create is still pending; it re-enqueues us
    const patch = { count: entry.count, lastTimestamp: rfc3339(entry.lastUsed) };
    try {
      entry.written = await this.ctx.client.resource(EVENTS).patch(entry.name, patch, { namespace: entry.namespace, type: 'merge' });
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }
}
