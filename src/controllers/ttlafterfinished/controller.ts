// The TTL-after-finished controller (pkg/controller/ttlafterfinished): watches Jobs, requeues each
// finished one with a TTL until it expires, re-reads it from the API server (the TTL may have been
// changed) and deletes it with Foreground propagation. Its clock is `options.now`.
import { isStatusError } from '../../api/errors.ts';
import { metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { JOBS } from '../resources.ts';
import { ttlRemainingMs } from './plan.ts';

export class TTLAfterFinishedController extends LoopController {
  readonly name = 'ttl-after-finished';
  protected readonly loop: ControllerLoop;
  private readonly jobs: SharedInformer;
  private readonly now: () => number;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.now = ctx.options.now ?? (() => ctx.client.clock.now());
    this.loop = new ControllerLoop({ name: 'ttl-after-finished', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.jobs = ctx.factory.informerFor(JOBS);
    const enqueue = (j: any) => ttlRemainingMs(j, this.now()) !== undefined && this.loop.enqueue(metaNamespaceKey(j));
    this.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, j) => enqueue(j) });
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.jobs.lister.get(namespace, name);
    if (!cached) return;
    const left = ttlRemainingMs(cached, this.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left + 50 };
    // The cache may be stale: decide on the Job as stored now.
    const client = this.ctx.client.resource(JOBS);
    const fresh = await client.get(name, { namespace }).catch((e) => {
      if (isStatusError(e, 404)) return undefined;
      throw e;
    });
    if (!fresh || fresh.metadata.uid !== cached.metadata.uid) return;
    const again = ttlRemainingMs(fresh, this.now());
    if (again === undefined) return;
    if (again > 0) return { requeueAfterMs: again + 50 };
    this.ctx.logger.info({ job: key }, 'cleaning up finished Job after its TTL');
    await client.delete(name, { namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } }).catch((e) => {
      if (!isStatusError(e, 404) && !isStatusError(e, 409)) throw e;
    });
  }
}
