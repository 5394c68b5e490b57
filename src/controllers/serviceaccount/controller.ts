// The serviceaccounts controller (pkg/controller/serviceaccount): keyed by namespace name; creates
// the `default` ServiceAccount in every Active namespace, and again if it is deleted.
import { isStatusError } from '../../api/errors.ts';
import { deletedObject, type ResourceRef, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { NAMESPACES } from '../resources.ts';
import { serviceAccountsToCreate } from './plan.ts';

export const SERVICEACCOUNTS: ResourceRef = { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' };

export class ServiceAccountsController extends LoopController {
  readonly name = 'serviceaccount';
  protected readonly loop: ControllerLoop;
  private readonly namespaces: SharedInformer;
  private readonly serviceAccounts: SharedInformer;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'serviceaccount', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.namespaces = ctx.factory.informerFor(NAMESPACES);
    this.serviceAccounts = ctx.factory.informerFor(SERVICEACCOUNTS);
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.loop.enqueue(ns.metadata.name!),
      onUpdate: (_o, ns) => this.loop.enqueue(ns.metadata.name!),
    });
    // Only deletions matter: a removed `default` is recreated.
    this.serviceAccounts.addEventHandler({ onDelete: (sa) => this.loop.enqueue(deletedObject(sa).metadata.namespace!) });
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, namespace);
    if (!ns) return;
    const missing = serviceAccountsToCreate([ns], this.serviceAccounts.lister.list(undefined, namespace));
    const client = this.ctx.client.resource(SERVICEACCOUNTS);
    for (const sa of missing) {
      await client.create(sa, { namespace }).catch((e) => {
        // Someone else made it, or the namespace is going away: nothing to do.
        if (isStatusError(e, 409) || (isStatusError(e, 403) && /being terminated/.test(String(e.message)))) return;
        throw e;
      });
    }
  }
}
