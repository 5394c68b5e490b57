// The clusterrole-aggregation controller: keyed by the name of a ClusterRole with an
// aggregationRule; any ClusterRole change requeues every aggregated role, whose rules are then
// rewritten to the union of the rules its selectors match (plan.ts).
import { isStatusError } from '../../api/errors.ts';
import type { ResourceRef, SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { aggregationUpdate } from './plan.ts';

export const CLUSTERROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false, kind: 'ClusterRole' };

export class ClusterRoleAggregationController extends LoopController {
  readonly name = 'clusterrole-aggregation';
  protected readonly loop: ControllerLoop;
  private readonly roles: SharedInformer;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'clusterrole-aggregation', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry });
    this.roles = ctx.factory.informerFor(CLUSTERROLES);
    const requeueAggregated = () => {
      for (const r of this.roles.lister.list()) if (r.aggregationRule) this.loop.enqueue(r.metadata.name!);
    };
    this.roles.addEventHandler({ onAdd: requeueAggregated, onUpdate: requeueAggregated, onDelete: requeueAggregated });
  }

  async sync(name: string): Promise<void> {
    const role = this.roles.lister.get(undefined, name);
    if (!role) return;
    const next = aggregationUpdate(role, this.roles.lister.list());
    if (!next) return;
    await this.ctx.client
      .resource(CLUSTERROLES)
      .update(next)
      .catch((e) => {
        // A newer version is on its way through the informer: it requeues the role.
        if (isStatusError(e, 409) || isStatusError(e, 404)) return;
        throw e;
      });
  }
}
