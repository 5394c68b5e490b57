// Reads of a resource the watch cache keeps nothing of (Kubernetes' watch cache size 0: events),
// served by the backend itself as kube-apiserver serves them from etcd: a page of the backend's
// current list, or of its state at an exact revision (continue tokens, resourceVersionMatch=Exact)
// rebuilt by undoing the backend's history after that revision; 'Compacted' when the history is gone.
import type { KubeObject } from '../api/types.ts';
import type { CacheListOptions, CacheListResult, Store, StoreEntry, StoreEvent } from './interface.ts';

/** One page cut from `total` sorted keys (the watch cache's paging rules: filter, limit, lastKey, remaining). */
export type PageOf = (
  keys: Iterator<string>,
  total: number,
  lookup: (key: string) => StoreEntry | undefined,
  opts: CacheListOptions,
  revision: number,
) => CacheListResult;

/** How long a shared backend's (remote) history replay may take before the snapshot is taken as complete. */
const REMOTE_REPLAY_MS = 3_000;

export async function listDirect(backend: Store, prefix: string, opts: CacheListOptions, pageOf: PageOf): Promise<CacheListResult> {
  const { items, revision } = await backend.list(prefix);
  const exact = opts.exactRevision !== undefined && opts.exactRevision > 0 ? opts.exactRevision : undefined;
  let entries = items;
  let at = revision;
  if (exact !== undefined && exact !== revision) {
    entries = await snapshotAt(backend, prefix, items, revision, exact);
    at = exact;
  }
  const after = opts.afterKey !== undefined && opts.afterKey >= prefix ? opts.afterKey : undefined;
  const byKey = new Map<string, StoreEntry>();
  const keys: string[] = [];
  for (const e of entries) {
    if (after !== undefined && e.key <= after) continue;
    byKey.set(e.key, e);
    keys.push(e.key);
  }
  return pageOf(keys[Symbol.iterator](), keys.length, (k) => byKey.get(k), opts, at);
}

/**
 * The entries under prefix at `revision`, from the list read at `listRevision`: each key written
 * in (revision, listRevision] takes the state before its first such write (absent if that write
 * created it). A revision newer than the list is the list itself (nothing is written above it yet
 * that the caller can know of). Throws Compacted (from watch) when the history no longer reaches back.
 */
export async function snapshotAt(backend: Store, prefix: string, items: StoreEntry[], listRevision: number, revision: number): Promise<StoreEntry[]> {
  if (revision >= listRevision) return items;
  const first = new Map<string, StoreEvent>();
  let seen = revision;
  let done: (() => void) | undefined;
  let failed: Error | undefined;
  const onEvent = (ev: StoreEvent) => {
    if (ev.revision <= listRevision && !first.has(ev.key)) first.set(ev.key, ev);
    if (ev.revision > seen) seen = ev.revision;
    if (seen >= listRevision) done?.();
  };
  const stop = backend.watch(prefix, revision, onEvent, (err) => ((failed = err), done?.()), (rev) => {
    if (rev > seen) seen = rev;
    if (seen >= listRevision) done?.();
  });
  try {
    // Local backends replay their history before watch() returns; a remote one streams it.
    if (seen < listRevision && backend.shared === true && !failed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, REMOTE_REPLAY_MS);
        done = () => (clearTimeout(timer), resolve());
      });
    }
  } finally {
    stop();
  }
  if (failed) throw failed;
  const out: StoreEntry[] = [];
  for (const e of items) if (!first.has(e.key)) out.push(e);
  for (const [key, ev] of first) {
    if (ev.type === 'ADDED' || !ev.prevObject) continue;
    out.push(pastEntry(key, ev.prevObject));
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/**
 * An entry for an object as it was before a later write (its resourceVersion is its write's
 * revision); the history does not carry its create revision, so it stands in for that too.
 */
function pastEntry(key: string, object: KubeObject): StoreEntry {
  const rev = Number(object.metadata?.resourceVersion ?? 0);
  return { key, object, modRevision: rev, createRevision: rev };
}
