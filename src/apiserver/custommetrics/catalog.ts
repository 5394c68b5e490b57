// The metric resources custom.metrics.k8s.io's discovery lists, kept current from the store's
// events: one scan of the stored kinds when first asked, then every write updates the objects that
// carry `kubesim.io/metric-<m>` annotations. Discovery (per version and aggregated) reads the
// cached list; it is rebuilt only after an object's metric names changed, and the same array is
// answered until then (callers may cache what they derive from it by identity).
import type { Registry } from '../../api/registry.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix, type StoreEvent, type Unsubscribe } from '../../storage/interface.ts';
import type { ApiCore } from '../rest/scope.ts';
import { metricResources, metricsOf, type MetricResource } from './discovery.ts';

/** Stored kinds (one entry per group resource: no served-from-another-version entries, no storage-less kinds). */
export function storedKinds(registry: Registry): ResourceType[] {
  const seen = new Set<string>();
  return registry.all().filter((r) => {
    const k = `${r.group}/${r.plural}`;
    if (r.conversion || r.rest?.get || r.rest?.list || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** `/registry/<group|core>/<plural>/…` → group and plural; undefined for any other key. */
export function groupResourceOfKey(key: string): { group: string; plural: string } | undefined {
  const parts = key.split('/', 4);
  if (parts.length < 4 || parts[0] !== '' || parts[1] !== 'registry' || !parts[2] || !parts[3]) return undefined;
  return { group: parts[2] === 'core' ? '' : parts[2], plural: parts[3] };
}

interface Carrier {
  group: string;
  plural: string;
  metrics: string[];
}

const sameNames = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class MetricCatalog {
  /** Storage key → the metric names its object carries (only objects with some). */
  private readonly carriers = new Map<string, Carrier>();
  private list: MetricResource[] | undefined;
  private started: Promise<void> | undefined;
  private unsubscribe: Unsubscribe | undefined;

  constructor(private readonly core: ApiCore) {}

  /** The discovery entries, sorted by name; the same array until an object's metrics change. */
  async resources(): Promise<MetricResource[]> {
    await (this.started ??= this.start());
    return (this.list ??= this.build());
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async start(): Promise<void> {
    const { store, registry } = this.core;
    const from = store.cachedRevision();
    for (const rt of storedKinds(registry)) {
      const objects = (await store.listPage(resourcePrefix(rt.group, rt.plural), { filter: (o) => metricsOf(o).length > 0 })).items;
      for (const o of objects) this.set(`${resourcePrefix(rt.group, rt.plural)}${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`, o);
    }
    // Events after `from` replay over the scan: each sets its key to that write's state, in order.
    this.unsubscribe = store.watch('/registry/', from, (ev) => this.onEvent(ev), () => this.reset());
  }

  /** A watch that ended (compaction, shutdown): the next call scans again. */
  private reset(): void {
    this.unsubscribe = undefined;
    this.started = undefined;
    this.carriers.clear();
    this.list = undefined;
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.type === 'DELETED') {
      if (this.carriers.delete(ev.key)) this.list = undefined;
      return;
    }
    this.set(ev.key, ev.object);
  }

  private set(key: string, o: KubeObject): void {
    const names = metricsOf(o);
    const had = this.carriers.get(key);
    if (names.length === 0) {
      if (had && this.carriers.delete(key)) this.list = undefined;
      return;
    }
    if (had && sameNames(had.metrics, names)) return;
    const gr = groupResourceOfKey(key);
    if (!gr) return;
    this.carriers.set(key, { ...gr, metrics: names });
    this.list = undefined;
  }

  private build(): MetricResource[] {
    const kinds = new Map(storedKinds(this.core.registry).map((rt) => [`${rt.group}/${rt.plural}`, rt]));
    const found = [];
    for (const c of this.carriers.values()) {
      const rt = kinds.get(`${c.group}/${c.plural}`);
      if (rt) found.push({ ...c, namespaced: rt.namespaced }); // else a kind removed since (its CRD deleted)
    }
    return metricResources(found);
  }
}

const catalogs = new WeakMap<ApiCore, MetricCatalog>();

/** Stops a server's catalog, if it was ever asked (server shutdown). */
export function stopMetricCatalog(core: ApiCore): void {
  catalogs.get(core)?.stop();
}

/** The server's catalog, started on first use. */
export function metricCatalog(core: ApiCore): MetricCatalog {
  let c = catalogs.get(core);
  if (!c) catalogs.set(core, (c = new MetricCatalog(core)));
  return c;
}
