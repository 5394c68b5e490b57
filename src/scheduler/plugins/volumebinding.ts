// VolumeBinding (kube-scheduler's volumebinding plugin): a pod's PersistentVolumeClaims must exist;
// unbound claims of Immediate classes make it unschedulable (the PV controller binds those); bound
// claims' volumes restrict it to the nodes their node affinity allows; unbound WaitForFirstConsumer
// claims need, per node, a matching static volume reachable from it or a class that can provision
// there. At bind time (PreBind) such claims get their static volume (claimRef) or the
// `volume.kubernetes.io/selected-node` annotation (the provisioner creates the volume on that node),
// and the pod is bound only once every claim is Bound. Pods without claims skip it in PreFilter.
import type { KubeObject } from '../../api/types.ts';
import {
  bindingMode,
  claimClass,
  classTopologyMatches,
  claimIsBound,
  findBestMatch,
  NO_PROVISIONER,
  podClaimNames,
  volumeNodeAffinityMatches,
} from '../../api/core/volumes.ts';
import type { NodeInfo } from '../cache.ts';
import {
  errorStatus,
  skip,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type PreBindPlugin,
  type PreFilterPlugin,
  type ReservePlugin,
  type Status,
} from '../framework/interface.ts';
import type { PodInfo } from '../podinfo.ts';

export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

/** The scheduler's view of claims, volumes and classes (its informers' caches). */
export interface VolumeLister {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  storageClass(name: string): KubeObject | undefined;
  volumes(): KubeObject[];
}

/** The writes PreBind makes. */
export interface VolumeWriter {
  /** Pre-binds a static volume to a claim (spec.claimRef); the PV controller completes the binding. */
  bindVolume(pv: KubeObject, claim: KubeObject): Promise<void>;
  /** Annotates a claim with `volume.kubernetes.io/selected-node`. */
  selectNode(claim: KubeObject, nodeName: string): Promise<void>;
}

export interface VolumeBindingOptions {
  /** How long PreBind waits for the claims to be Bound (kube-scheduler's bindTimeoutSeconds, 600). */
  bindTimeoutMs?: number;
  pollMs?: number;
  /** Aborted when the scheduler stops: waiting PreBinds give up at once. */
  signal?: AbortSignal;
}

const STATE_KEY = 'VolumeBinding';

interface PodVolumes {
  /** Volumes of claims with a volumeName (undefined = missing volume). */
  bound: (KubeObject | undefined)[];
  /** Unbound WaitForFirstConsumer claims, with their class. */
  delayed: { claim: KubeObject; sc: KubeObject | undefined }[];
  /** Every claim the pod uses (waited on in PreBind). */
  claims: KubeObject[];
  /** Per delayed claim, the decision for the reserved node. */
  decisions?: { claim: KubeObject; pv?: KubeObject }[];
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = 'VolumeBinding';
  /** Static volumes chosen for pods in their binding cycle (not offered to other pods meanwhile). */
  private readonly assumed = new Set<string>();

  constructor(
    private readonly lister?: VolumeLister,
    private readonly writer?: VolumeWriter,
    private readonly opts: VolumeBindingOptions = {},
  ) {}

  preFilter(state: CycleState, pod: PodInfo): Status | null {
    const names = podClaimNames(pod.pod);
    if (names.length === 0 || !this.lister) return skip;
    const s: PodVolumes = { bound: [], delayed: [], claims: [] };
    for (const name of names) {
      const claim = this.lister.claim(pod.namespace, name);
      if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (claim.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      s.claims.push(claim);
      const volumeName = claim.spec?.volumeName;
      if (volumeName) {
        s.bound.push(this.lister.volume(volumeName));
        continue;
      }
      const cls = claimClass(claim);
      const sc = cls ? this.lister.storageClass(cls) : undefined;
      if (bindingMode(sc) !== 'WaitForFirstConsumer') return unresolvable(ERR_UNBOUND_IMMEDIATE);
      s.delayed.push({ claim, sc });
    }
    state.write(STATE_KEY, s);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<PodVolumes>(STATE_KEY);
    if (!s) return null;
    for (const pv of s.bound) {
      if (!pv) return unresolvable(ERR_PV_NOT_EXIST);
      if (!volumeNodeAffinityMatches(pv, node.name, node.labels)) return unresolvable(ERR_NODE_CONFLICT);
    }
    if (s.delayed.length && !this.decide(s, node)) return unschedulable(ERR_BIND_CONFLICT);
    return null;
  }

  /** For each delayed claim: a static volume on this node, else provisioning (when the class can here). */
  private decide(s: PodVolumes, node: NodeInfo): { claim: KubeObject; pv?: KubeObject }[] | undefined {
    const exclude = new Set(this.assumed);
    const out: { claim: KubeObject; pv?: KubeObject }[] = [];
    const volumes = this.lister!.volumes();
    for (const { claim, sc } of s.delayed) {
      const pv = findBestMatch(claim, volumes, { delayBinding: true, node: { name: node.name, labels: node.labels }, exclude });
      if (pv) {
        exclude.add(pv.metadata.name!);
        out.push({ claim, pv });
        continue;
      }
      if (!sc || sc.provisioner === NO_PROVISIONER || !classTopologyMatches(sc, node.labels)) return undefined;
      out.push({ claim });
    }
    return out;
  }

  reserve(state: CycleState, _pod: PodInfo, nodeName: string): Status | null {
    const s = state.read<PodVolumes>(STATE_KEY);
    if (!s || s.delayed.length === 0) return null;
    const node = (state.read<NodeInfo[]>('allNodes') ?? []).find((n) => n.name === nodeName) ?? ({ name: nodeName, labels: {} } as unknown as NodeInfo);
    const decisions = this.decide(s, node);
    if (!decisions) return unschedulable(ERR_BIND_CONFLICT);
    s.decisions = decisions;
    for (const d of decisions) if (d.pv) this.assumed.add(d.pv.metadata.name!);
    return null;
  }

  unreserve(state: CycleState): void {
    const s = state.read<PodVolumes>(STATE_KEY);
    for (const d of s?.decisions ?? []) if (d.pv) this.assumed.delete(d.pv.metadata.name!);
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    const s = state.read<PodVolumes>(STATE_KEY);
    if (!s || s.delayed.length === 0) return null;
    if (!this.writer || !this.lister) return errorStatus('binding volumes: no volume writer configured');
    try {
      for (const d of s.decisions ?? []) {
        if (d.pv) await this.writer.bindVolume(d.pv, d.claim);
        else await this.writer.selectNode(d.claim, nodeName);
      }
      const ok = await this.waitBound(pod.namespace, s.claims.map((c) => c.metadata.name!));
      return ok ? null : errorStatus('binding volumes: context deadline exceeded');
    } catch (e) {
      return errorStatus(`binding volumes: ${(e as Error).message}`);
    } finally {
      for (const d of s.decisions ?? []) if (d.pv) this.assumed.delete(d.pv.metadata.name!);
    }
  }

  /** Polls the claim cache until every claim is Bound, or the bind timeout passes. */
  private async waitBound(namespace: string, names: string[]): Promise<boolean> {
    const deadline = Date.now() + (this.opts.bindTimeoutMs ?? 600_000);
    const every = this.opts.pollMs ?? 50;
    for (;;) {
      if (names.every((n) => {
        const c = this.lister!.claim(namespace, n);
        return !!c && claimIsBound(c);
      })) return true;
      if (Date.now() >= deadline || this.opts.signal?.aborted) return false;
      await new Promise((r) => setTimeout(r, every));
    }
  }
}
