// The store's history for the watch check across API server restarts (ChaosTargets.captureHistory):
// each capture is a key prefix and the revision read up to; readAll(), called while the API server
// is down (its data dir free), appends the events since and moves the revision on. The reader
// (src/cluster readStoreHistory) is injected: chaos does not import storage.
import type { CapturedHistory } from './targets.ts';

export type ReadHistory = (dataDir: string, keyPrefix: string, fromRevision: number) => Promise<{ events: CapturedHistory['events']; revision: number }>;

export class HistoryCaptures {
  private readonly captures: { prefix: string; from: number; got: CapturedHistory }[] = [];
  constructor(
    private readonly dataDir: string,
    private readonly read: ReadHistory | undefined,
  ) {}

  capture(keyPrefix: string, fromRevision: number): () => CapturedHistory {
    const cap = { prefix: keyPrefix, from: fromRevision, got: { events: [] } as CapturedHistory };
    this.captures.push(cap);
    return () => cap.got;
  }

  /** The API server is down: read each capture's events since its last read. A failed read is kept as the capture's error. */
  async readAll(): Promise<void> {
    if (!this.read) return;
    for (const cap of this.captures) {
      if (cap.got.error) continue;
      try {
        const h = await this.read(this.dataDir, cap.prefix, cap.from);
        cap.got.events.push(...h.events);
        cap.got.revision = cap.from = h.revision;
      } catch (e) {
        cap.got.error = (e as Error).message;
      }
    }
  }
}
