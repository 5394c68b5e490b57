// The PersistentVolume controller with kubesim's simulated provisioner and resizer: binds claims
// to volumes both ways, provisions volumes for claims of a class (at once for Immediate classes,
// on the node the scheduler selected for WaitForFirstConsumer ones), releases and reclaims volumes
// whose claim went (Delete / Retain / Recycle), expands bound volumes, and lifts the pvc-/pv-
// protection finalizers once nothing uses the object. Decisions are in plan.ts.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_STORAGE_PROVISIONER,
  defaultClass,
  PV_PROTECTION_FINALIZER,
  PVC_PROTECTION_FINALIZER,
  PVCS,
  PVS,
  STORAGECLASSES,
} from '../../api/core/index.ts';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { PODS } from '../resources.ts';
import { claimInUse, claimRefOf, planClaim, planVolume, volumeInUse, type ClaimAction } from './plan.ts';
import { deepCopy } from '../../api/core/json.ts';

const PVC_KIND = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
const PV_KIND = { apiVersion: 'v1', kind: 'PersistentVolume' };
const CLAIM = 'claim:';
const VOLUME = 'volume:';

export class PersistentVolumeController extends LoopController {
  readonly name = 'persistentvolume-binder';
  protected readonly loop: ControllerLoop;
  private readonly claims: SharedInformer;
  private readonly volumes: SharedInformer;
  private readonly classes: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly events: EventSink;
  private readonly provisionerEvents: EventSink;
  /** The last pending message told per claim uid, so a waiting claim gets one event, not one per sync. */
  private readonly told = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'persistentvolume-binder', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.claims = ctx.factory.informerFor(PVCS);
    this.volumes = ctx.factory.informerFor(PVS);
    this.classes = ctx.factory.informerFor(STORAGECLASSES);
    this.pods = ctx.factory.informerFor(PODS);
    this.events = ctx.recorder('persistentvolume-controller');
    this.provisionerEvents = ctx.recorder('kubesim.io/simulated');
    const claimKey = (c: KubeObject) => CLAIM + metaNamespaceKey(c);
    const onClaim = (c: KubeObject) => {
      this.loop.enqueue(claimKey(c));
      if (c.spec?.volumeName) this.loop.enqueue(VOLUME + c.spec.volumeName);
    };
    const onVolume = (v: KubeObject) => {
      this.loop.enqueue(VOLUME + v.metadata.name);
      const ref = v.spec?.claimRef;
      if (ref?.name) this.loop.enqueue(`${CLAIM}${ref.namespace}/${ref.name}`);
    };
    this.claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: (c) => onClaim(deletedObject(c)) });
    this.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: (v) => onVolume(deletedObject(v)) });
    // A new class (or default) may let waiting claims go on.
    const onClass = () => {
      for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) this.loop.enqueue(claimKey(c));
    };
    this.classes.addEventHandler({ onAdd: onClass, onUpdate: onClass });
    // A pod that stops using a terminating claim may release its protection.
    const onPod = (p: KubeObject) => {
      for (const v of (p.spec?.volumes as any[]) ?? []) {
        const name = v?.persistentVolumeClaim?.claimName;
        if (!name) continue;
        const c = this.claims.lister.get(p.metadata.namespace, name);
        if (c?.metadata.deletionTimestamp) this.loop.enqueue(claimKey(c));
      }
    };
    this.pods.addEventHandler({ onUpdate: (_o, p) => onPod(p), onDelete: (p) => onPod(deletedObject(p)) });
  }

  async sync(key: string): Promise<SyncResult | void> {
    if (key.startsWith(CLAIM)) return this.syncClaim(key.slice(CLAIM.length));
    if (key.startsWith(VOLUME)) return this.syncVolume(key.slice(VOLUME.length));
  }

  private classMap(): Map<string, KubeObject> {
    return new Map(this.classes.lister.list().map((sc) => [sc.metadata.name!, sc]));
  }

  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const claim = this.claims.lister.get(namespace, name);
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      if ((claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER) && !claimInUse(claim, this.pods.lister.list(undefined, namespace))) {
        await this.removeFinalizer(PVCS, claim, PVC_PROTECTION_FINALIZER);
      }
      return;
    }
    const classes = this.classMap();
    const volumeName = claim.spec?.volumeName;
    const action = planClaim({
      claim,
      volume: volumeName ? this.volumes.lister.get(undefined, volumeName) : undefined,
      volumes: this.volumes.lister.list(),
      classes,
      defaultClass: defaultClass([...classes.values()])?.metadata.name,
    });
    await this.apply(claim, action);
  }

  private async apply(claim: KubeObject, a: ClaimAction): Promise<void> {
    const pvcs = this.ctx.client.resource(PVCS);
    const ns = claim.metadata.namespace;
    switch (a.kind) {
      case 'none':
        return;
      case 'setClass':
        await pvcs.patch(claim.metadata.name!, { spec: { storageClassName: a.className } }, { namespace: ns, type: 'merge' });
        return;
      case 'waitForFirstConsumer':
        this.tell(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return;
      case 'pending':
        this.tell(claim, a.type, a.reason, a.message);
        return;
      case 'lost':
        if (claim.status?.phase !== 'Lost') {
          await pvcs.updateStatus({ ...claim, status: { ...(claim.status ?? {}), phase: 'Lost' } });
          this.events.event(claim, PVC_KIND, 'Warning', a.reason, a.message);
        }
        return;
      case 'provision':
        return this.provision(claim, a.volume, a.provisioner);
      case 'bind':
        return this.bind(claim, a.volume);
      case 'expand':
        return this.expand(claim, a.volume, a.size);
    }
  }

  /** A pending claim's explanation, told once per message. */
  private tell(claim: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const uid = claim.metadata.uid ?? metaNamespaceKey(claim);
    if (this.told.get(uid) === `${reason}:${message}`) return;
    if (this.told.size > 10_000) this.told.clear();
    this.told.set(uid, `${reason}:${message}`);
    this.events.event(claim, PVC_KIND, type, reason, message);
  }

  private async provision(claim: KubeObject, volume: KubeObject, provisioner: string): Promise<void> {
    const pvcs = this.ctx.client.resource(PVCS);
    const ann = claim.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner) {
      await pvcs.patch(claim.metadata.name!, { metadata: { annotations: { [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } } }, { namespace: claim.metadata.namespace, type: 'merge' });
      this.tell(claim, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    }
    this.provisionerEvents.event(claim, PVC_KIND, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${metaNamespaceKey(claim)}"`);
    try {
      await this.ctx.client.resource(PVS).create(volume);
    } catch (e) {
      if (!isStatusError(e, 409)) {
        this.provisionerEvents.event(claim, PVC_KIND, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${volume.spec?.storageClassName}": ${(e as Error).message}`);
        throw e;
      }
    }
    this.provisionerEvents.event(claim, PVC_KIND, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${volume.metadata.name}`);
  }

  /** bindVolumeToClaim, then the volume's phase, then bindClaimToVolume, then the claim's phase (each only if needed). */
  private async bind(claim: KubeObject, volume: KubeObject): Promise<void> {
    const pvs = this.ctx.client.resource(PVS);
    const pvcs = this.ctx.client.resource(PVCS);
    let pv = volume;
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== claim.metadata.uid || ref.name !== claim.metadata.name) {
      const byUs = !ref;
      const annotations = { ...(pv.metadata.annotations ?? {}), ...(byUs ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}) };
      pv = await pvs.update({ ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef: claimRefOf(claim) } });
    }
    if (pv.status?.phase !== 'Bound') pv = await pvs.updateStatus({ ...pv, status: { ...(pv.status ?? {}), phase: 'Bound' } });
    let c = claim;
    if (c.spec?.volumeName !== pv.metadata.name || c.metadata.annotations?.[ANN_BIND_COMPLETED] !== 'yes') {
      const byUs = c.spec?.volumeName !== pv.metadata.name;
      const annotations = { ...(c.metadata.annotations ?? {}), [ANN_BIND_COMPLETED]: 'yes', ...(byUs ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}) };
      c = await pvcs.update({ ...c, metadata: { ...c.metadata, annotations }, spec: { ...c.spec, volumeName: pv.metadata.name } });
    }
    const status = { ...(c.status ?? {}), phase: 'Bound', accessModes: deepCopy(pv.spec?.accessModes ?? []), capacity: deepCopy(pv.spec?.capacity ?? {}) };
    if (JSON.stringify(c.status ?? {}) !== JSON.stringify(status)) await pvcs.updateStatus({ ...c, status });
    this.told.delete(claim.metadata.uid ?? '');
  }

  /** The simulated resizer: the volume grows to the request, then the claim's status capacity follows. */
  private async expand(claim: KubeObject, volume: KubeObject, size: string): Promise<void> {
    this.provisionerEvents.event(claim, PVC_KIND, 'Normal', 'Resizing', `External resizer is resizing volume ${volume.metadata.name}`);
    const pv = await this.ctx.client.resource(PVS).update({ ...volume, spec: { ...volume.spec, capacity: { ...(volume.spec?.capacity ?? {}), storage: size } } });
    this.provisionerEvents.event(claim, PVC_KIND, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
    await this.bind(claim, pv);
  }

  private async syncVolume(name: string): Promise<void> {
    const pv = this.volumes.lister.get(undefined, name);
    if (!pv) return;
    const pvs = this.ctx.client.resource(PVS);
    if (pv.metadata.deletionTimestamp) {
      if ((pv.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER) && !volumeInUse(pv)) await this.removeFinalizer(PVS, pv, PV_PROTECTION_FINALIZER);
      return;
    }
    const ref = pv.spec?.claimRef;
    let claim = ref?.uid ? this.claims.lister.get(ref.namespace, ref.name) : undefined;
    if (ref?.uid && (!claim || claim.metadata.uid !== ref.uid)) {
      // The cache may lag a claim just created: confirm with a live read before releasing.
      claim = await this.ctx.client
        .resource(PVCS)
        .get(ref.name, { namespace: ref.namespace })
        .catch((e) => {
          if (isStatusError(e, 404)) return undefined;
          throw e;
        });
    }
    const action = planVolume(pv, claim);
    switch (action.kind) {
      case 'none':
        return;
      case 'phase':
        await pvs.updateStatus({ ...pv, status: { ...(pv.status ?? {}), phase: action.phase } });
        return;
      case 'delete':
        await pvs.delete(name).catch((e) => {
          if (!isStatusError(e, 404)) throw e;
        });
        return;
      case 'recycle':
      case 'unbind': {
        const { claimRef: _drop, ...spec } = pv.spec ?? {};
        const annotations = { ...(pv.metadata.annotations ?? {}) };
        delete annotations[ANN_BOUND_BY_CONTROLLER];
        const next = await pvs.update({ ...pv, metadata: { ...pv.metadata, annotations }, spec });
        await pvs.updateStatus({ ...next, status: { ...(next.status ?? {}), phase: 'Available' } });
        if (action.kind === 'recycle') this.events.event(pv, PV_KIND, 'Normal', 'VolumeRecycled', `Volume recycled`);
        return;
      }
    }
  }

  private async removeFinalizer(ref: typeof PVCS, o: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.ctx.client
      .resource(ref)
      .patch(o.metadata.name!, { metadata: { finalizers, resourceVersion: o.metadata.resourceVersion } }, { namespace: o.metadata.namespace, type: 'merge' })
      .catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
  }
}
