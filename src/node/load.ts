// Workload load: `kubesim.io/load-cpu` / `kubesim.io/load-memory` on a Deployment, StatefulSet or
// ReplicaSet (or on the pods, e.g. through the template) give the TOTAL load of the workload as a
// pattern over time (usage.ts: a quantity, step, ramp, sine, diurnal, walk with a seed). It is spread
// evenly over the workload's ready pods, as a load balancer spreads requests: more replicas, less per
// pod. Read at every usage read (each scrape), so editing the annotation changes the load at once.
// docs/node-simulation.md describes the annotations.
import type { KubeObject } from '../api/types.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import type { SharedInformer } from '../client/index.ts';
import { parsePattern, patternAt, type Pattern } from './usage.ts';
import { hash32 } from './units.ts';

export const LOAD_CPU = 'kubesim.io/load-cpu';
export const LOAD_MEMORY = 'kubesim.io/load-memory';
/** An object's controller uid (a pod's ReplicaSet or StatefulSet, a ReplicaSet's Deployment): the index the load counts by. */
export const BY_CONTROLLER = 'byController';

/** A pod's share of its workload's load: millicores and bytes; undefined where the workload sets none. */
export interface PodShare {
  milliCpu?: number;
  memory?: number;
}

export interface LoadInformers {
  pods: SharedInformer<KubeObject>;
  replicaSets?: SharedInformer<KubeObject>;
  deployments?: SharedInformer<KubeObject>;
  statefulSets?: SharedInformer<KubeObject>;
}

export function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | undefined {
  const refs = o.metadata.ownerReferences as any[] | undefined;
  if (refs) for (const r of refs) if (r.controller) return r;
  return undefined;
}

export function controllerIndex(p: KubeObject): string[] {
  const c = controllerOf(p);
  return c ? [c.uid] : [];
}

/** What share() reads of a pod object itself: the same object gives the same facts (pods are replaced, never edited). */
export interface PodFacts {
  ref: { kind: string; name: string; uid: string } | undefined;
  ready: boolean;
  /**
   * Whether anything can set the pod's load: its own annotations, or an owner up its chain (its
   * controller is a ReplicaSet or a StatefulSet); false: share() is undefined whatever the owners say.
   */
  loadable: boolean;
}

/**
 * podFacts by pod object: a scrape counts every loaded workload's ready pods (readyPods) and each
 * pod's facts, and an informer's pod is replaced, never edited (as the HPA's replicas.ts and the
 * container meters rely on too), so its facts are read once, not once a scrape: the walk then
 * touches each pod's entry, not its metadata, status and conditions.
 */
const factsByPod = new WeakMap<KubeObject, PodFacts>();

export function podFacts(pod: KubeObject): PodFacts {
  let f = factsByPod.get(pod);
  if (f === undefined) {
    const ref = controllerOf(pod);
    factsByPod.set(pod, (f = { ref, ready: ready(pod), loadable: setsLoad(pod) || ref?.kind === 'ReplicaSet' || ref?.kind === 'StatefulSet' }));
  }
  return f;
}

/** The object's annotations set a load. */
function setsLoad(o: KubeObject | undefined): boolean {
  const ann = o?.metadata.annotations;
  return ann != null && (ann[LOAD_CPU] !== undefined || ann[LOAD_MEMORY] !== undefined);
}

function ready(p: KubeObject): boolean {
  if (p.metadata.deletionTimestamp) return false;
  const conds = p.status?.conditions as any[] | undefined;
  if (conds) for (const c of conds) if (c.type === 'Ready' && c.status === 'True') return true;
  return false;
}

/** The object whose load annotations a pod follows, and the uids of the controllers whose pods share it. */
interface Source {
  obj: KubeObject;
  /** Controller uids whose pods spread this load (a Deployment: all its ReplicaSets). */
  controllers: string[];
  /** The pod's own annotations (no owner sets a load): not shared with its siblings. */
  own?: boolean;
}

/** A controller's load in one synchronous pass: its source and totals, and the share of its ready pods once asked. */
interface PassEntry {
  src: Source;
  cpu?: number;
  memory?: number;
  ready?: PodShare;
}

export class WorkloadLoad {
  private inf: LoadInformers | undefined;
  /** When this pool first saw each (source, annotation value): the start of step/ramp shapes. */
  private readonly since = new Map<string, number>();
  private readonly patterns = new Map<string, Pattern | null>();
  private memo: { now: number; ready: Map<string, number> } = { now: -1, ready: new Map() };
  private pass?: { now: number; by: Map<string, PassEntry> };

  attach(inf: LoadInformers): void {
    this.inf = inf;
  }

  /** The pod's share at `now`, or undefined when neither its workload nor it sets a load (facts: podFacts(pod), if the caller keeps them). */
  share(pod: KubeObject, now: number, facts?: PodFacts): PodShare | undefined {
    if (!this.inf) return undefined;
    facts ??= podFacts(pod);
    if (!facts.loadable) return undefined; // source() would find none
    const ref = facts.ref;
    let memo = ref ? this.passMemo(now).get(ref.uid) : undefined;
    const { src, cpu, memory } = memo ?? this.totals(pod, now);
    if (ref && !memo && src && !src.own) this.passMemo(now).set(ref.uid, (memo = { src, cpu, memory }));
    if (!src) return undefined;
    if (cpu === undefined && memory === undefined) return undefined;
    // not ready: no traffic, so no CPU share; its memory is the pod's own (the per-pod pattern)
    if (!facts.ready) return cpu !== undefined ? { milliCpu: 0 } : {};
    // every ready pod of the controller gets the same share in this pass (read only by its callers)
    if (memo?.ready) return memo.ready;
    const n = Math.max(1, this.readyPods(src, now));
    const share = { milliCpu: cpu !== undefined ? cpu / n : undefined, memory: memory !== undefined ? memory / n : undefined };
    if (memo) memo.ready = share;
    return share;
  }

  private totals(pod: KubeObject, now: number): { src?: Source; cpu?: number; memory?: number } {
    const src = this.source(pod);
    if (!src) return {};
    const ann = src.obj.metadata.annotations ?? {};
    return { src, cpu: this.total(src, ann[LOAD_CPU], milliValueOrZero, now), memory: this.total(src, ann[LOAD_MEMORY], valueOrZero, now) };
  }

  /**
   * The sources and totals of the controllers read so far in this synchronous pass (a scrape reads
   * every pod of a workload in one loop): dropped at the next microtask, so nothing can change
   * under them; a pod-level source (the pod's own annotations) is never shared.
   */
  private passMemo(now: number): Map<string, PassEntry> {
    if (!this.pass || this.pass.now !== now) {
      const pass = { now, by: new Map<string, PassEntry>() };
      this.pass = pass;
      queueMicrotask(() => {
        if (this.pass === pass) this.pass = undefined;
      });
    }
    return this.pass.by;
  }

  private total(src: Source, value: string | undefined, unit: (q: string) => number, now: number): number | undefined {
    if (value === undefined) return undefined;
    let p = this.patterns.get(value);
    if (p === undefined) {
      p = parsePattern(value, unit) ?? null;
      this.patterns.set(value, p);
    }
    if (!p) return undefined;
    const key = `${src.obj.metadata.uid}\u0000${value}`;
    let start = this.since.get(key);
    if (start === undefined) this.since.set(key, (start = now));
    return Math.max(0, patternAt(p, hash32(src.obj.metadata.uid ?? ''), now - start, now));
  }

  /** Nearest owner up the chain that sets a load (Deployment over ReplicaSet), else the pod itself. */
  private source(pod: KubeObject): Source | undefined {
    const inf = this.inf!;
    const ns = pod.metadata.namespace;
    const ref = controllerOf(pod);
    if (ref?.kind === 'ReplicaSet') {
      const rs = inf.replicaSets?.lister.get(ns, ref.name);
      const dref = rs && controllerOf(rs);
      const dep = dref?.kind === 'Deployment' ? inf.deployments?.lister.get(ns, dref.name) : undefined;
      if (dep && setsLoad(dep) && dep.metadata.uid === dref!.uid) {
        const rss = inf.replicaSets!.indexer.byIndex(BY_CONTROLLER, dep.metadata.uid!);
        return { obj: dep, controllers: rss.map((r) => r.metadata.uid!) };
      }
      if (rs && setsLoad(rs)) return { obj: rs, controllers: [rs.metadata.uid!] };
    } else if (ref?.kind === 'StatefulSet') {
      const sts = inf.statefulSets?.lister.get(ns, ref.name);
      if (sts && setsLoad(sts)) return { obj: sts, controllers: [sts.metadata.uid!] };
    }
    if (setsLoad(pod)) return { obj: ref ? { ...pod, metadata: { ...pod.metadata, uid: ref.uid } } : pod, controllers: ref ? [ref.uid] : [], own: true };
    return undefined;
  }

  /** Ready pods sharing the source's load, memoized for 250 ms (a pool-wide summary counts each workload once). */
  private readyPods(src: Source, now: number): number {
    if (now < this.memo.now || now - this.memo.now > 250) this.memo = { now, ready: new Map() };
    const key = src.obj.metadata.uid ?? '';
    let n = this.memo.ready.get(key);
    if (n === undefined) this.memo.ready.set(key, (n = this.countReady(src)));
    return n;
  }

  /** The ready pods of the source's controllers (without controllers: the pod itself), walked in the index (no array). */
  private countReady(src: Source): number {
    if (src.controllers.length === 0) return 1;
    this.readyCount = 0;
    for (const uid of src.controllers) this.inf!.pods.indexer.forEachByIndex(BY_CONTROLLER, uid, this.countOne);
    return this.readyCount;
  }

  /** countReady's count and its step, made once (not a closure per count). */
  private readyCount = 0;
  private readonly countOne = (p: KubeObject): void => {
    if (podFacts(p).ready) this.readyCount++;
  };
}
