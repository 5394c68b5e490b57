// EncryptingStore: encryption at rest around any backend (memory, SQLite, PostgreSQL, etcd). Values
// of the configured resources go to the backend as an envelope object whose `value` is exactly what
// Kubernetes stores in etcd (`k8s:enc:aesgcm:v1:key1:` + ciphertext, the ciphertext base64-encoded
// because our backends store JSON); reads, list results and watch events are decrypted on the way
// back. Other keys pass through untouched. The watch cache sits above this store, so it holds
// plaintext, as Kubernetes' does.
import type { KubeObject } from '../../api/types.ts';
import { encodeObject } from '../common.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent, type Unsubscribe } from '../interface.ts';
import { validateEncryptionConfiguration, type EncryptionConfiguration } from './config.ts';
import { compileConfiguration, keyGroupResource, transformersFor, type ResourceTransformers } from './transformers.ts';

export const ENVELOPE_KIND = 'EncryptedValue';

/** What the backend holds for an encrypted key. */
export interface Envelope {
  kind: typeof ENVELOPE_KIND;
  metadata?: { resourceVersion?: string };
  value: string;
}

export function isEnvelope(o: unknown): o is Envelope {
  return !!o && (o as Envelope).kind === ENVELOPE_KIND && typeof (o as Envelope).value === 'string' && (o as Envelope).value.startsWith('k8s:enc:');
}

export class EncryptingStore implements Store {
  private readonly confs: ReturnType<typeof compileConfiguration>;
  private readonly byResource = new Map<string, ResourceTransformers | undefined>();
  readonly shared?: boolean;

  constructor(
    readonly inner: Store,
    config: EncryptionConfiguration,
  ) {
    this.shared = inner.shared;
    const errs = validateEncryptionConfiguration(config);
    if (errs.length) throw new Error(`invalid encryption provider configuration: ${errs.join(', ')}`);
    this.confs = compileConfiguration(config.resources);
  }

  private transformers(key: string): ResourceTransformers | undefined {
    const gr = keyGroupResource(key);
    if (!gr) return undefined;
    const id = `${gr.resource}.${gr.group}`;
    if (!this.byResource.has(id)) this.byResource.set(id, transformersFor(this.confs, gr));
    return this.byResource.get(id);
  }

  /** The object as the backend should store it. */
  encode(key: string, object: KubeObject): KubeObject {
    const t = this.transformers(key)?.write;
    if (!t || t.prefix === '') return object;
    const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
    const plain = Buffer.from(JSON.stringify({ ...object, metadata }));
    const value = t.prefix + t.encrypt(plain, key).toString('base64');
    return { kind: ENVELOPE_KIND, value } as unknown as KubeObject;
  }

  /** The object the backend returned, decrypted (resourceVersion kept from the backend's copy). */
  decode(key: string, stored: KubeObject): { object: KubeObject; json?: string } {
    const rt = this.transformers(key);
    if (!isEnvelope(stored)) {
      // Plain data: readable when identity is one of the providers (or the key is not encrypted).
      if (!rt || rt.read.some((t) => t.prefix === '')) return { object: stored };
      throw new StorageError('Unavailable', key, `no matching prefix found (reading ${key}: the stored value is not encrypted and identity is not a provider)`);
    }
    const t = rt?.read.find((x) => x.prefix !== '' && stored.value.startsWith(x.prefix));
    if (!t) throw new StorageError('Unavailable', key, `no matching prefix found (reading ${key}: no configured key decrypts ${stored.value.slice(0, stored.value.indexOf(':', 18) + 1)})`);
    let plain: Buffer;
    try {
      plain = t.decrypt(Buffer.from(stored.value.slice(t.prefix.length), 'base64'), key);
    } catch (err) {
      throw new StorageError('Unavailable', key, `failed to decrypt ${key} with ${t.prefix.slice(0, -1)}: ${(err as Error).message}`);
    }
    const rv = Number(stored.metadata?.resourceVersion ?? 0);
    return encodeObject(JSON.parse(plain.toString('utf8')) as KubeObject, rv);
  }

  private entry(e: StoreEntry): StoreEntry {
    if (!isEnvelope(e.object) && !this.transformers(e.key)) return e;
    const d = this.decode(e.key, e.object);
    if (d.object === e.object) return e;
    return { ...e, object: d.object, json: d.json };
  }

  private event(ev: StoreEvent): StoreEvent {
    if (!this.transformers(ev.key) && !isEnvelope(ev.object)) return ev;
    const d = this.decode(ev.key, ev.object);
    const prev = ev.prevObject && this.decode(ev.key, ev.prevObject).object;
    if (d.object === ev.object && prev === ev.prevObject) return ev;
    return Object.freeze({ ...ev, object: d.object, json: d.json, prevObject: prev });
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const e = await this.inner.get(key);
    return e && this.entry(e);
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    const r = await this.inner.list(prefix);
    return { items: r.items.map((e) => this.entry(e)), revision: r.revision };
  }

  async create(key: string, object: KubeObject): Promise<StoreEntry> {
    return this.entry(await this.inner.create(key, this.encode(key, object)));
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    return this.entry(await this.inner.update(key, this.encode(key, object), expectedRevision));
  }

  async delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    return this.entry(await this.inner.delete(key, expectedRevision));
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void, onProgress?: (revision: number) => void): Unsubscribe {
    let done = false;
    let stop: Unsubscribe | undefined;
    stop = this.inner.watch(
      prefix,
      fromRevision,
      (ev) => {
        if (done) return;
        let out: StoreEvent;
        try {
          out = this.event(ev);
        } catch (err) {
          // An undecryptable value ends the watch (during the replay `stop` is not known yet).
          done = true;
          const e = err instanceof StorageError ? err : new StorageError('Unavailable', ev.key, String(err));
          queueMicrotask(() => {
            stop?.();
            onError?.(e);
          });
          return;
        }
        onEvent(out);
      },
      (err) => {
        if (done) return;
        done = true;
        onError?.(err);
      },
      onProgress,
    );
    return () => {
      done = true;
      stop!();
    };
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
