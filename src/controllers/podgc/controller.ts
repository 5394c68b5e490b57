// The pod garbage collector (pkg/controller/podgc): periodically force-deletes terminated pods above
// the threshold (oldest first), pods bound to nodes that no longer exist, and terminating pods that
// no kubelet will ever finish (unscheduled, or on a node that is not ready).
import type { Timer } from '../../clock/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import type { SharedInformer } from '../../client/index.ts';
import { CONTROLLER_DEFAULTS, type Controller, type ControllerContext } from '../context.ts';
import { NODES, PODS } from '../resources.ts';
import { podGCPlan } from './plan.ts';

export class PodGCController implements Controller {
  readonly name = 'podgc';
  private readonly pods: SharedInformer;
  private readonly nodes: SharedInformer;
  private timer?: Timer;
  private running?: Promise<void>;

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.factory.informerFor(PODS);
    this.nodes = ctx.factory.informerFor(NODES);
  }

  run(): void {
    const period = (this.ctx.options.podGCPeriodSeconds ?? 20) * 1000;
    const tick = () => {
      this.running = this.gc().then(
        () => {},
        (e) => this.ctx.logger.warn({ err: String(e) }, 'pod gc failed'),
      );
      this.timer = this.ctx.client.clock.setTimeout(tick, period);
    };
    this.timer = this.ctx.client.clock.setTimeout(tick, period);
  }

  async stop(): Promise<void> {
    this.ctx.client.clock.clearTimeout(this.timer);
    await this.running;
  }

  async gc(now = this.ctx.client.clock.now()): Promise<number> {
    const nodes = { get: (name: string) => this.nodes.lister.get(undefined, name) };
    const plan = podGCPlan(this.pods.indexer.values(), nodes, this.ctx.options.terminatedPodGCThreshold ?? CONTROLLER_DEFAULTS.terminatedPodGCThreshold, now);
    // A node missing from the cache may just be new: confirm with the API before deleting its pods.
    const orphaned: KubeObject[] = [];
    const missing = new Map<string, boolean>();
    for (const p of plan.orphaned) {
      const n = p.spec.nodeName as string;
      if (!missing.has(n)) {
        missing.set(
          n,
          await this.ctx.client
            .resource(NODES)
            .get(n)
            .then(() => false, (e) => isStatusError(e, 404)),
        );
      }
      if (missing.get(n)) orphaned.push(p);
    }
    const victims = [...plan.terminated, ...orphaned, ...plan.terminating];
    const client = this.ctx.client.resource(PODS);
    await Promise.all(
      victims.map((p) =>
        client.delete(p.metadata.name!, { namespace: p.metadata.namespace, gracePeriodSeconds: 0 }).catch((e) => {
          if (!isStatusError(e, 404)) this.ctx.logger.warn({ err: String(e) }, 'pod gc delete failed');
        }),
      ),
    );
    return victims.length;
  }
}
