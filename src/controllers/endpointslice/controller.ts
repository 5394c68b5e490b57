// The endpointslice controller (pkg/controller/endpointslice): keeps the EndpointSlices of every
// Service with a selector, following its pods (readiness, deletion, IPs, ports). Slices are owned by
// the Service (the garbage collector removes them with it); Services without a selector, and
// ExternalName ones, are left to whoever writes their slices.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../resources.ts';
import { nowIso } from '../util/conditions.ts';
import { podToServiceHandlers } from '../util/endpoints.ts';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, planEndpointSlices, SERVICE_NAME_LABEL, ZONE_LABEL } from './plan.ts';

export { ENDPOINTSLICES };

export class EndpointSliceController extends LoopController {
  readonly name = 'endpointslice';
  protected readonly loop: ControllerLoop;
  private readonly services: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly nodes: SharedInformer;
  private readonly slices: SharedInformer;
  /**
   * The EndpointSliceTracker: per Service, the slices this controller wrote and the
   * resourceVersion each has (or undefined once deleted), until the informer shows them; a sync
   * from a cache that lags behind its own writes would create duplicates.
   */
  private readonly written = new Map<string, Map<string, number | undefined>>();

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'endpointslice', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.services = ctx.factory.informerFor(SERVICES);
    this.pods = ctx.factory.informerFor(PODS);
    this.nodes = ctx.factory.informerFor(NODES);
    this.slices = ctx.factory.informerFor(ENDPOINTSLICES);
    this.services.addEventHandler({
      onAdd: (s) => this.loop.enqueue(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.loop.enqueue(metaNamespaceKey(s)),
    });
    this.pods.addEventHandler(podToServiceHandlers(this.services, (k) => this.loop.enqueue(k)));
    // A slice changed or removed by someone else is put back.
    const ownerKey = (s: KubeObject) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) this.loop.enqueue(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.addEventHandler({ onUpdate: (_o, s) => ownerKey(s), onDelete: (s) => ownerKey(deletedObject(s)) });
  }

  /** Whether the informer shows every write made for this Service (forgetting those it shows). */
  private cacheCurrent(key: string, namespace: string | undefined): boolean {
    const w = this.written.get(key);
    if (!w) return true;
    for (const [slice, rv] of w) {
      const seen = this.slices.lister.get(namespace, slice);
      const current = rv === undefined ? !seen : !!seen && Number(seen.metadata.resourceVersion) >= rv;
      if (current) w.delete(slice);
    }
    if (w.size === 0) this.written.delete(key);
    return w.size === 0;
  }

  private wrote(key: string, slice: string, rv: number | undefined): void {
    let w = this.written.get(key);
    if (!w) this.written.set(key, (w = new Map()));
    w.set(slice, rv);
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    if (!this.cacheCurrent(key, namespace)) return { requeueAfterMs: 50 };
    const service = this.services.lister.get(namespace, name);
    // A deleted Service's slices go with it (owner references, garbage collector).
    if (!service || service.spec?.type === 'ExternalName') return;
    const sel = service.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) return;
    const slices = this.slices.lister
      .list({ [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: CONTROLLER_NAME }, namespace)
      .filter((s) => !s.metadata.deletionTimestamp);
    const plan = planEndpointSlices({
      service,
      pods: this.pods.lister.list(sel, namespace),
      slices,
      zoneOf: (node) => this.nodes.lister.get(undefined, node)?.metadata.labels?.[ZONE_LABEL],
      maxEndpointsPerSlice: this.ctx.options.maxEndpointsPerSlice,
      now: nowIso(this.ctx.client.clock.now()),
    });
    const client = this.ctx.client.resource(ENDPOINTSLICES);
    const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);
    for (const s of plan.delete) {
      await client.delete(s.metadata.name!, { namespace }).catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
      this.wrote(key, s.metadata.name!, undefined);
    }
    for (const s of plan.update) this.wrote(key, s.metadata.name!, rv(await client.update(s)));
    for (const s of plan.create) {
      const made = await client.create(s, { namespace }).catch((e) => {
        // The namespace is going away: nothing to keep.
        if (isStatusError(e, 403) && /being terminated/.test(String(e.message))) return undefined;
        throw e;
      });
      if (made) this.wrote(key, made.metadata.name!, rv(made));
    }
  }
}
