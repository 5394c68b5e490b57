// A watcher as client-go's reflector runs one, for end-to-end tests across failures: list, then watch
// from the list's resourceVersion; a watch that ends (replica killed, connection reset) is resumed
// from the last resourceVersion seen; 410 Gone (at the start or as an ERROR event) means relist.
// It records what a test checks: every event's resourceVersion is above the one before it in the
// same list+watch chain (no reordering), and which revisions a relist covered instead of events.
import type http from 'node:http';
import https from 'node:https';
import type { ResolvedKubeconfig } from '../../src/client/kubeconfig.ts';

export interface ReflectorEvent {
  type: string;
  name: string;
  rv: number;
}

export interface Reflector {
  /** Every ADDED/MODIFIED/DELETED event received, in arrival order. */
  events: ReflectorEvent[];
  /** Revisions delivered out of order (an event not above the previous one in its chain). */
  reordered: string[];
  /** (after, upTo]: revisions a relist covered (events between them may not have been delivered). */
  relists: { after: number; upTo: number }[];
  /** Watches resumed after their stream ended. */
  resumes: number;
  /** 410 Gone answers (each followed by a relist). */
  gone: number;
  /** The current objects (name → resourceVersion), as the informer's store holds them. */
  state: Map<string, number>;
  /** The last resourceVersion seen (list or event or bookmark). */
  lastRv(): number;
  /** True when `rv` of `name` reached the reflector as an event or inside a relist's range (or is ≤ resumeFrom). */
  accounted(name: string, rv: number): boolean;
  stop(): void;
}

/**
 * Runs a reflector on `path` (a collection URL path, e.g. /api/v1/namespaces/default/configmaps).
 * resumeFrom: start with a watch from this resourceVersion instead of a list, as an informer
 * resuming after a long disconnection does (too old: 410, then a relist).
 */
export function startReflector(kc: ResolvedKubeconfig, path: string, opts: { resumeFrom?: number } = {}): Reflector {
  const agent = new https.Agent({ keepAlive: true, ca: kc.ca, cert: kc.cert, key: kc.key });
  const headers: Record<string, string> = kc.token ? { Authorization: `Bearer ${kc.token}` } : {};
  let stopped = false;
  let last = opts.resumeFrom ?? 0;
  let current: http.ClientRequest | undefined;
  const seen = new Set<string>();
  const r: Reflector = {
    events: [],
    reordered: [],
    relists: [],
    resumes: 0,
    gone: 0,
    state: new Map(),
    lastRv: () => last,
    // Revisions up to resumeFrom were seen before (by the informer this one continues).
    accounted: (name, rv) => rv <= (opts.resumeFrom ?? 0) || seen.has(`${name}@${rv}`) || r.relists.some((l) => rv > l.after && rv <= l.upTo),
    stop: () => {
      stopped = true;
      current?.destroy();
      agent.destroy();
    },
  };

  const get = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const q = https.get(`${kc.server}${url}`, { agent, headers, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      q.on('timeout', () => q.destroy(new Error('list timed out')));
      q.on('error', reject);
    });

  async function relist(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const res = await get(path).catch(() => undefined);
      if (res?.status === 200) {
        const list = JSON.parse(res.body);
        const rv = Number(list.metadata.resourceVersion);
        r.relists.push({ after: last, upTo: rv });
        r.state = new Map(list.items.map((o: any) => [o.metadata.name, Number(o.metadata.resourceVersion)]));
        last = rv;
        return;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /** One watch from `last`; resolves 'gone' on 410, 'ended' when the stream ends or fails. */
  const watch = () =>
    new Promise<'gone' | 'ended'>((resolve) => {
      let tail = '';
      let chainLast = last;
      const q = https.get(`${kc.server}${path}?watch=true&allowWatchBookmarks=true&resourceVersion=${last}`, { agent, headers }, (res) => {
        if (res.statusCode === 410) return res.resume(), resolve('gone');
        if (res.statusCode !== 200) return res.resume(), setTimeout(() => resolve('ended'), 200);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (tail + chunk).split('\n');
          tail = lines.pop()!;
          for (const line of lines) {
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (ev.type === 'ERROR') {
              if (ev.object?.code === 410) q.destroy(), resolve('gone');
              continue;
            }
            const rv = Number(ev.object.metadata.resourceVersion);
            if (ev.type !== 'BOOKMARK') {
              if (rv <= chainLast) r.reordered.push(`${ev.type} ${ev.object.metadata.name}@${rv} after ${chainLast}`);
              const name = ev.object.metadata.name;
              r.events.push({ type: ev.type, name, rv });
              seen.add(`${name}@${rv}`);
              if (ev.type === 'DELETED') r.state.delete(name);
              else r.state.set(name, rv);
            }
            chainLast = Math.max(chainLast, rv);
            last = Math.max(last, rv);
          }
        });
        res.on('end', () => resolve('ended'));
        res.on('error', () => resolve('ended'));
      });
      q.on('error', () => setTimeout(() => resolve('ended'), 200));
      current = q;
    });

  void (async () => {
    if (opts.resumeFrom === undefined) await relist();
    while (!stopped) {
      const how = await watch();
      if (stopped) return;
      if (how === 'gone') r.gone++, await relist();
      else r.resumes++;
    }
  })();
  return r;
}
