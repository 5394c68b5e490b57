// The disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's status —
// the healthy pods it selects, how many it wants, how many disruptions that allows — so that the
// eviction subresource can answer. Pods' controllers (ReplicaSet, Deployment, StatefulSet,
// ReplicationController) give the expected count for percentages and maxUnavailable.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { deletedObject, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { DEPLOYMENTS, PODDISRUPTIONBUDGETS, PODS, REPLICASETS, REPLICATIONCONTROLLERS, STATEFULSETS } from '../resources.ts';
import { nowIso } from '../util/conditions.ts';
import { controllerOf } from '../util/owner.ts';
import { countHealthyPods, disruptedPodMap, expectedPodCount, failSafeStatus, pdbStatus, podsForPdb, type ControllerScale } from './plan.ts';
import { labelSelectorAsSelector, matches, type LabelSelector } from '../../api/labels.ts';

const PDB_KIND = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const group = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0] : '');

export class DisruptionController extends LoopController {
  readonly name = 'disruption';
  protected readonly loop: ControllerLoop;
  private readonly pdbs: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly replicaSets: SharedInformer;
  private readonly deployments: SharedInformer;
  private readonly statefulSets: SharedInformer;
  private readonly rcs: SharedInformer;
  private readonly events: EventSink;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'disruption', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('controllermanager');
    this.pdbs = ctx.factory.informerFor(PODDISRUPTIONBUDGETS);
    this.pods = ctx.factory.informerFor(PODS);
    this.replicaSets = ctx.factory.informerFor(REPLICASETS);
    this.deployments = ctx.factory.informerFor(DEPLOYMENTS);
    this.statefulSets = ctx.factory.informerFor(STATEFULSETS);
    this.rcs = ctx.factory.informerFor(REPLICATIONCONTROLLERS);
    this.pdbs.addEventHandler({
      onAdd: (p) => this.loop.enqueue(metaNamespaceKey(p)),
      onUpdate: (_o, p) => this.loop.enqueue(metaNamespaceKey(p)),
      onDelete: (p) => this.loop.enqueue(metaNamespaceKey(deletedObject(p))),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.enqueuePdbsOf(p),
      onUpdate: (o, p) => {
        this.enqueuePdbsOf(p);
        if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) this.enqueuePdbsOf(o);
      },
      onDelete: (p) => this.enqueuePdbsOf(deletedObject(p)),
    });
  }

  /** getPdbForPod: the PDBs whose non-empty selector matches the pod. */
  private enqueuePdbsOf(pod: KubeObject): void {
    for (const pdb of this.pdbs.lister.list(undefined, pod.metadata.namespace)) {
      const ls = pdb.spec?.selector as LabelSelector | undefined;
      if (!ls || (!Object.keys(ls.matchLabels ?? {}).length && !(ls.matchExpressions ?? []).length)) continue;
      try {
        if (matches(labelSelectorAsSelector(ls), pod.metadata.labels ?? {})) this.loop.enqueue(metaNamespaceKey(pdb));
      } catch {
        // an invalid selector selects nothing
      }
    }
  }

  /** The finders (getPodReplicaSet, getPodDeployment, getPodReplicationController, getPodStatefulSet). */
  private findScale(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    const g = group(ref.apiVersion);
    const replicas = (o: KubeObject) => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);
    const same = (o: KubeObject | undefined) => (o && o.metadata.uid === ref.uid ? o : undefined);
    if (ref.kind === 'ReplicaSet' && (g === 'apps' || g === 'extensions')) {
      const rs = same(this.replicaSets.lister.get(namespace, ref.name));
      if (!rs) return undefined;
      const owner = controllerOf(rs);
      if (owner?.kind === 'Deployment' && (group(owner.apiVersion) === 'apps' || group(owner.apiVersion) === 'extensions')) {
        const d = this.deployments.lister.get(namespace, owner.name);
        return d && d.metadata.uid === owner.uid ? { uid: d.metadata.uid!, scale: replicas(d) } : undefined;
      }
      return { uid: rs.metadata.uid!, scale: replicas(rs) };
    }
    if (ref.kind === 'StatefulSet' && g === 'apps') {
      const ss = same(this.statefulSets.lister.get(namespace, ref.name));
      return ss && { uid: ss.metadata.uid!, scale: replicas(ss) };
    }
    if (ref.kind === 'ReplicationController' && g === '') {
      const rc = same(this.rcs.lister.get(namespace, ref.name));
      return rc && { uid: rc.metadata.uid!, scale: replicas(rc) };
    }
    return undefined;
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pdb = this.pdbs.lister.get(namespace, name);
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (e) {
      if (isStatusError(e, 409)) throw e;
      this.ctx.logger.warn({ pdb: key, err: String(e) }, 'failed to sync PodDisruptionBudget');
      await this.write(pdb, failSafeStatus(pdb, e instanceof Error ? e.message : String(e), nowIso(this.ctx.client.clock.now())));
    }
  }

  private async trySync(pdb: KubeObject): Promise<SyncResult | void> {
    const pods = podsForPdb(pdb, this.pods.lister.list(undefined, pdb.metadata.namespace));
    if (pods.length === 0) this.events.event(pdb, PDB_KIND, 'Normal', 'NoPods', 'No matching pods found');
    let expected;
    try {
      expected = expectedPodCount(pdb, pods, (ref, ns) => this.findScale(ref, ns));
    } catch (e) {
      this.events.event(pdb, PDB_KIND, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    if (expected.unmanagedPods.length) {
      this.events.event(
        pdb,
        PDB_KIND,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? {})}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.ctx.client.clock.now();
    const disrupted = disruptedPodMap(pdb, pods, now);
    for (const podName of disrupted.notDeleted) {
      const pod = pods.find((p) => p.metadata.name === podName);
      if (pod) this.events.event(pod, POD_KIND, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted.disruptedPods, now);
    const status = pdbStatus(pdb, currentHealthy, expected.desiredHealthy, expected.expectedCount, disrupted.disruptedPods, nowIso(now));
    if (status) await this.write(pdb, status);
    if (disrupted.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, disrupted.recheckAt - now) + 10 };
  }

  private async write(pdb: KubeObject, status: any): Promise<void> {
    await this.ctx.client.resource(PODDISRUPTIONBUDGETS).updateStatus({ ...pdb, status });
  }
}
