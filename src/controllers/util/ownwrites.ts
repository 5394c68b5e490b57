// Read-your-own-writes over an informer cache: a controller that has just written an object (e.g.
// a ReplicaSet's status) may sync the same key again before its informer has delivered that write.
// Syncing from the stale copy would recompute a status the server already has and PUT it with the
// old resourceVersion: a 409, a GET and a no-op PUT (updateReplicaSetStatus' retry). The write's
// response is what the cache will show once it catches up, so while the cache still shows exactly
// the version the write replaced, the controller reads the response instead.
//
// Invalidation: an entry is used only while the cached copy's resourceVersion is the one the write
// started from; any other version (the write arrived, or someone else wrote) drops it, and so does
// the key's deletion (forget). Kubernetes compares resourceVersions only for equality, and so does this.
import type { KubeObject } from '../../api/types.ts';

interface Entry {
  /** Versions our writes replaced: while the cache shows one of them, it has not seen our last write. */
  superseded: Set<string>;
  written: KubeObject;
}

export class OwnWrites {
  private readonly entries = new Map<string, Entry>();

  /**
   * A write succeeded: `cached` is what the informer showed when the sync began, `base` the copy the
   * write was made from (the cached one, our previous write's response, or a fresh GET), `after` the
   * server's response.
   */
  record(key: string, cached: KubeObject, base: KubeObject, after: KubeObject): void {
    const rv = after?.metadata?.resourceVersion;
    const from = [cached.metadata.resourceVersion, base.metadata.resourceVersion].filter((v): v is string => !!v && v !== rv);
    if (!rv || !from.length) {
      this.entries.delete(key);
      return;
    }
    const prev = this.entries.get(key);
    const chained = !!prev && prev.superseded.has(cached.metadata.resourceVersion ?? '');
    const superseded = chained ? prev.superseded : new Set<string>();
    for (const v of from) superseded.add(v);
    if (chained && prev.written.metadata.resourceVersion) superseded.add(prev.written.metadata.resourceVersion);
    superseded.delete(rv);
    this.entries.set(key, { superseded, written: after });
  }

  /** The freshest copy we know of: our own last write while the cache still shows a version it replaced, else the cache's. */
  view(key: string, cached: KubeObject): KubeObject {
    const e = this.entries.get(key);
    if (!e) return cached;
    if (e.superseded.has(cached.metadata.resourceVersion ?? '')) return e.written;
    this.entries.delete(key);
    return cached;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
