// ControllerExpectations (client-go pkg/controller/controller_utils.go): a controller records how many
// creations/deletions it is waiting to see through its informer, and does not act on a key again until
// they are observed (or the record expires), so a lagging cache never causes double creation.

const ExpectationsTimeoutMs = 5 * 60 * 1000;

interface Record {
  add: number;
  del: number;
  /** uids/keys of pods whose deletion is expected (UIDTrackingControllerExpectations). */
  deleting: Set<string>;
  timestamp: number;
}

export class Expectations {
  private readonly records = new Map<string, Record>();
  constructor(private readonly now: () => number = Date.now) {}

  /** True when the controller may sync the key: nothing pending, expired, or never recorded. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.timestamp > ExpectationsTimeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, deleting: new Set(), timestamp: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), timestamp: this.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** Counts a deletion once per pod, whether seen as a deletionTimestamp or as a DELETED event. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r && r.deleting.delete(podKey)) r.del--;
  }

  /**
   * A pod event of an owner under expectations: an add observes a creation; a delete, or a pod
   * already terminating, observes its deletion.
   */
  podObserved(key: string, podKey: string, what: 'add' | 'update' | 'delete', terminating: boolean): void {
    if (what === 'add') this.creationObserved(key);
    if (what === 'delete' || terminating) this.deletionObserved(key, podKey);
  }

  /** A create that failed will never be observed: lower the expectation. */
  lowerCreations(key: string, n = 1): void {
    const r = this.records.get(key);
    if (r) r.add -= n;
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}

/**
 * Runs `count` calls in batches of 1, 2, 4, ... (controller.slowStartBatch): a failure stops the
 * remaining batches, so a quota or validation error costs one call, not thousands.
 * Returns the number of successful calls.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}
