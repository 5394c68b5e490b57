// The endpoints controller (pkg/controller/endpoint): keeps an Endpoints object per Service with a
// selector, listing the IPs of the pods it selects. Services without a selector are left alone.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { deletedObject, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { ENDPOINTS, PODS, SERVICES } from '../resources.ts';
import { nowIso } from '../util/conditions.ts';
import { podToServiceHandlers } from '../util/endpoints.ts';
import { endpointSubsets, endpointsLabels } from './plan.ts';

export class EndpointsController extends LoopController {
  readonly name = 'endpoints';
  protected readonly loop: ControllerLoop;
  private readonly services: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly endpoints: SharedInformer;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'endpoints', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.services = ctx.factory.informerFor(SERVICES);
    this.pods = ctx.factory.informerFor(PODS);
    this.endpoints = ctx.factory.informerFor(ENDPOINTS);
    this.services.addEventHandler({
      onAdd: (s) => this.loop.enqueue(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.loop.enqueue(metaNamespaceKey(s)),
      onDelete: (s) => this.loop.enqueue(metaNamespaceKey(deletedObject(s))),
    });
    this.pods.addEventHandler(podToServiceHandlers(this.services, (k) => this.loop.enqueue(k)));
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const client = this.ctx.client.resource(ENDPOINTS);
    const service = this.services.lister.get(namespace, name);
    if (!service) {
      await client.delete(name, { namespace }).catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
      return;
    }
    const sel = service.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) return; // endpoints managed by someone else
    const pods = this.pods.lister.list(sel, namespace);
    const subsets = endpointSubsets(service, pods);
    const labels = endpointsLabels(service);
    const current = this.endpoints.lister.get(namespace, name);
    if (current && JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels)) return;
    const annotations = { ...(current?.metadata.annotations ?? {}), 'endpoints.kubernetes.io/last-change-trigger-time': nowIso(this.ctx.client.clock.now()) };
    const body: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations }, subsets };
    if (current) await client.update(body);
    else
      await client.create(body, { namespace }).catch(async (e) => {
        if (!isStatusError(e, 409)) throw e;
        const live = await client.get(name, { namespace });
        await client.update({ ...body, metadata: { ...live.metadata, labels, annotations } });
      });
  }
}
