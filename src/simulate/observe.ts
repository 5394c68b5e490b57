// Counts of what the report can't read off a list of the current objects, because the objects are
// gone by the next measurement: evictions and preemptions, from the Events the components write
// (one informer per reason, filtered on the server by fieldSelector reason=...): `Preempted` (the
// scheduler, on each victim), `TaintManagerEviction` (the node lifecycle controller's taint-based
// eviction) and `Evicted` (the kubelet's node-pressure eviction); an Event's count rises as repeats
// fold into it, so an update adds the difference. Evictions through the Eviction API (a drain) are
// added by the drain itself.
import type { KubeObject } from '../api/types.ts';
import { SharedInformerFactory, type Client } from '../client/index.ts';

const EVENTS = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' } as const;
export const EVICTION_REASONS = ['TaintManagerEviction', 'Evicted'];
export const PREEMPTION_REASONS = ['Preempted'];

export interface Counts {
  evictions: number;
  preemptions: number;
}

export class EventCounter {
  readonly totals: Counts = { evictions: 0, preemptions: 0 };
  private readonly factory: SharedInformerFactory;

  constructor(client: Client) {
    this.factory = new SharedInformerFactory(client, {});
    for (const [reasons, key] of [[EVICTION_REASONS, 'evictions'], [PREEMPTION_REASONS, 'preemptions']] as const) {
      for (const reason of reasons) {
        const inf = this.factory.informerFor<KubeObject>(EVENTS, { fieldSelector: `reason=${reason}` });
        const count = (e: KubeObject) => Math.max(1, Number((e as any).count ?? (e as any).series?.count ?? 1));
        inf.addEventHandler({
          onAdd: (e) => void (this.totals[key] += count(e)),
          onUpdate: (old, e) => void (this.totals[key] += Math.max(0, count(e) - count(old))),
        });
      }
    }
  }

  async start(): Promise<void> {
    this.factory.start();
    await this.factory.waitForCacheSync();
  }

  add(key: keyof Counts, n = 1): void {
    this.totals[key] += n;
  }

  stop(): Promise<void> {
    return this.factory.shutdown();
  }
}
