// `kubesim snapshot save`: every object of every served resource that can be listed and created,
// status included, as multi-document YAML (read-only resources — metrics.k8s.io's NodeMetrics and
// PodMetrics, ComponentStatus — are derived, not state, and could not be restored). Discovery-driven (discovery.ts), so CRDs' objects come along.
// Left out: managedFields (as `kubectl get` leaves them out), Events unless asked for (they are a
// log, not state), and a second copy of an object served by two groups (Events: v1 and
// events.k8s.io; deduplicated by uid).
import { stringify } from 'yaml';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import { discover, type ServedResource } from './discovery.ts';

export interface SaveOptions {
  /** Include Events (default false). */
  events?: boolean;
}

const isEvent = (r: ServedResource) => r.kind === 'Event' && (r.group === '' || r.group === 'events.k8s.io');

/** Every object, in discovery order, each namespace's objects by name. */
export async function saveSnapshot(client: Client, opts: SaveOptions = {}): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const seen = new Set<string>();
  for (const r of await discover(client)) {
    if (!r.verbs.includes('list') || !r.verbs.includes('create') || (isEvent(r) && !opts.events)) continue;
    const list = await client.resource(r).listAll({});
    for (const item of list.items) {
      const uid = item.metadata.uid;
      if (uid && seen.has(uid)) continue;
      if (uid) seen.add(uid);
      const { managedFields: _m, ...metadata } = item.metadata as Record<string, unknown>;
      out.push({ apiVersion: r.apiVersion, kind: r.kind, ...item, metadata } as KubeObject);
    }
  }
  return out;
}

/** Objects as multi-document YAML (`---` between documents). */
export function toYaml(objects: KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
