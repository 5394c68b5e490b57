// `kubesim record`: the state at the start (every recordable object as ADDED at t 0), then one
// watch per listable, watchable resource (discovery.ts), each change that passes the filter
// (trace.ts) handed to `emit` with its time. A watch that ends resumes from its last
// resourceVersion; a 410 Expired relists and emits the differences.
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { discover, type ServedResource } from './discovery.ts';
import { essence, recordable, type RecordFilter, type TraceEvent, type TraceType } from './trace.ts';

export interface Recording {
  /** Resolves once the initial state is emitted and every watch is open. */
  ready: Promise<void>;
  /** Stops every watch; resolves when they have ended. */
  stop(): Promise<void>;
}

export function record(client: Client, emit: (e: TraceEvent) => void, filter: RecordFilter = {}, clock: Clock = realClock): Recording {
  const start = clock.now();
  const seen = new Map<string, string>(); // resource key + uid → essence
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  const put = (r: ServedResource, type: TraceType, o: KubeObject, t = clock.now() - start) => {
    const object = { apiVersion: r.apiVersion, kind: r.kind, ...o } as KubeObject;
    if (!recordable(object, filter)) return;
    const key = `${r.group}/${r.plural}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const e = essence(object);
    if (type === 'DELETED') seen.delete(key);
    else if (seen.get(key) === e) return;
    else {
      if (type === 'MODIFIED' && !seen.has(key)) type = 'ADDED';
      seen.set(key, e);
    }
    const { managedFields: _m, ...metadata } = object.metadata as Record<string, unknown>;
    emit({ t, type, object: { ...object, metadata } as KubeObject });
  };
  const relist = async (r: ServedResource, initial: boolean): Promise<string> => {
    const list = await client.resource(r).listAll({});
    const present = new Set<string>();
    for (const o of list.items) {
      present.add(`${r.group}/${r.plural}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      put(r, initial ? 'ADDED' : 'MODIFIED', o, initial ? 0 : undefined);
    }
    if (!initial) {
      for (const key of [...seen.keys()].filter((k) => k.startsWith(`${r.group}/${r.plural}/`) && !present.has(k))) {
        const [, , namespace, name] = key.split('/');
        put(r, 'DELETED', { apiVersion: r.apiVersion, kind: r.kind, metadata: { name, ...(namespace ? { namespace } : {}) } } as KubeObject);
      }
    }
    return list.metadata.resourceVersion ?? '';
  };
  const follow = async (r: ServedResource, rv: string) => {
    while (!abort.signal.aborted) {
      try {
        const w = await client.resource(r).watch({ resourceVersion: rv, allowWatchBookmarks: true, signal: abort.signal });
        for await (const ev of w) {
          if (ev.type === 'ERROR') {
            if ((ev.object as any).code === 410) rv = await relist(r, false);
            break;
          }
          rv = (ev.object as KubeObject).metadata?.resourceVersion ?? rv;
          if (ev.type !== 'BOOKMARK') put(r, ev.type, ev.object as KubeObject);
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        if (e instanceof StatusError && e.code === 410) rv = await relist(r, false).catch(() => rv);
        else await clock.sleep(1000, abort.signal).catch(() => {});
      }
    }
  };
  const ready = (async () => {
    const resources = (await discover(client)).filter((r) => r.verbs.includes('list') && r.verbs.includes('watch'));
    const rvs: string[] = [];
    for (const r of resources) rvs.push(await relist(r, true));
    resources.forEach((r, i) => loops.push(follow(r, rvs[i])));
  })();
  return {
    ready,
    async stop() {
      await ready.catch(() => {});
      abort.abort();
      await Promise.all(loops);
    },
  };
}
