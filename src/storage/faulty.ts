// A fault-injecting Store around any backend, for chaos runs and tests: slow commits (latency),
// failing commits (EIO, or ENOSPC for a full disk) refused before they reach the backend, so
// nothing is half-written, and the API server answers 503 ServiceUnavailable. Faults are changed at
// run time (`set`, `clear`); reads, watches and compaction pass through (reads may be slowed).
import { readFileSync, statSync } from 'node:fs';
import type { KubeObject } from '../api/types.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent, type Unsubscribe } from './interface.ts';

export interface StoreFaults {
  /** Added before every commit (create, update, delete). */
  commitLatencyMs?: number;
  /** Added before every read (get, list, currentRevision). */
  readLatencyMs?: number;
  /** Commits fail with this error: EIO (an I/O error) or ENOSPC (a full disk). */
  failCommits?: 'EIO' | 'ENOSPC';
  /** Fraction of commits that fail (0..1, default 1 when failCommits is set). */
  failRate?: number;
  /** Only keys with this prefix are affected (default: all). */
  prefix?: string;
}

export interface FaultCounts {
  commits: number;
  failedCommits: number;
  delayedCommits: number;
}

const MESSAGES = { EIO: 'EIO: input/output error', ENOSPC: 'ENOSPC: no space left on device' } as const;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether the fault applies to this commit (pure; `draw` in [0, 1)). */
export function commitFails(f: StoreFaults, key: string, draw: number): boolean {
  if (!f.failCommits || !key.startsWith(f.prefix ?? '')) return false;
  return draw < (f.failRate ?? 1);
}

export class FaultyStore implements Store {
  private faults: StoreFaults = {};
  readonly counts: FaultCounts = { commits: 0, failedCommits: 0, delayedCommits: 0 };
  readonly shared?: boolean;
  constructor(
    readonly inner: Store,
    faults: StoreFaults = {},
    private readonly random: () => number = Math.random,
  ) {
    this.faults = { ...faults };
    this.shared = inner.shared;
  }

  /** Changes the faults from now on (merged into the current ones). */
  set(faults: StoreFaults): void {
    this.faults = { ...this.faults, ...faults };
  }

  clear(): void {
    this.faults = {};
  }

  current(): StoreFaults {
    return { ...this.faults };
  }

  private async beforeCommit(key: string): Promise<void> {
    const f = this.faults;
    this.counts.commits++;
    const applies = key.startsWith(f.prefix ?? '');
    if (applies && f.commitLatencyMs) {
      this.counts.delayedCommits++;
      await sleep(f.commitLatencyMs);
    }
    // Judged after the delay: a fault switched on meanwhile applies to this commit too.
    const now = this.faults;
    if (commitFails(now, key, this.random())) {
      this.counts.failedCommits++;
      throw new StorageError('Unavailable', key, `${MESSAGES[now.failCommits!]} (writing ${key})`);
    }
  }

  private async beforeRead(key: string): Promise<void> {
    const f = this.faults;
    if (f.readLatencyMs && key.startsWith(f.prefix ?? '')) await sleep(f.readLatencyMs);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    await this.beforeRead(key);
    return this.inner.get(key);
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    await this.beforeRead(prefix);
    return this.inner.list(prefix);
  }

  async create(key: string, object: KubeObject): Promise<StoreEntry> {
    await this.beforeCommit(key);
    return this.inner.create(key, object);
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    await this.beforeCommit(key);
    return this.inner.update(key, object, expectedRevision);
  }

  async delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    await this.beforeCommit(key);
    return this.inner.delete(key, expectedRevision);
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void, onProgress?: (revision: number) => void): Unsubscribe {
    return this.inner.watch(prefix, fromRevision, onEvent, onError, onProgress);
  }

  async currentRevision(): Promise<number> {
    await this.beforeRead('');
    return this.inner.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const FAULT_FIELDS: Record<keyof StoreFaults, (v: unknown) => boolean> = {
  commitLatencyMs: (v) => typeof v === 'number' && v >= 0 && v <= 60_000,
  readLatencyMs: (v) => typeof v === 'number' && v >= 0 && v <= 60_000,
  failCommits: (v) => v === 'EIO' || v === 'ENOSPC',
  failRate: (v) => typeof v === 'number' && v >= 0 && v <= 1,
  prefix: (v) => typeof v === 'string',
};

/** A faults file's JSON (`{}` = none) → StoreFaults; throws naming the bad field. */
export function parseStoreFaults(text: string): StoreFaults {
  const d: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new Error('must be a JSON object');
  for (const [k, v] of Object.entries(d)) {
    const ok = FAULT_FIELDS[k as keyof StoreFaults];
    if (!ok) throw new Error(`${k}: unknown field (${Object.keys(FAULT_FIELDS).join(', ')})`);
    if (!ok(v)) throw new Error(`${k}: invalid value ${JSON.stringify(v)}`);
  }
  return d as StoreFaults;
}

/**
 * Drives a FaultyStore from a file (a chaos run's handle on an API server in another process):
 * the faults are the file's JSON object, re-read when it changes (its inode, mtime or size, polled
 * every `intervalMs`); a missing, empty or invalid file means none (`onError` says why it was
 * invalid). Returns stop().
 */
export function followFaultsFile(store: FaultyStore, file: string, onError: (msg: string) => void = () => {}, intervalMs = 100): () => void {
  const version = () => {
    try {
      const st = statSync(file);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return 'missing';
    }
  };
  let seen = '';
  const poll = () => {
    const v = version();
    if (v === seen) return;
    seen = v;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // missing: no faults
    }
    try {
      const faults = parseStoreFaults(text);
      store.clear();
      store.set(faults);
    } catch (e) {
      store.clear();
      onError(`${file}: ${(e as Error).message}`);
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
