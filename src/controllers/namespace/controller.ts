// The namespace controller (pkg/controller/namespace): a namespace being deleted (deletionTimestamp,
// phase Terminating, spec.finalizers [kubernetes]) is emptied of every namespaced kind the registry
// knows; then the `kubernetes` finalizer is removed through namespaces/<ns>/finalize and the API
// server deletes the namespace.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { registry } from '../../api/registry.ts';
import { deletedObject, type ResourceRef, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { NAMESPACES, uniqueResources } from '../resources.ts';
import { discoverCustomResources, preferred } from '../util/discovery.ts';
import { nowIso } from '../util/conditions.ts';
import { setCondition } from '../util/conditions.ts';

/** Every namespaced kind that can be listed and deleted. */
export function namespacedResources(): ResourceRef[] {
  return uniqueResources(
    registry
    .all()
    .filter((t) => t.namespaced && t.verbs.includes('list') && t.verbs.includes('delete'))
    .map((t) => ({ group: t.group, version: t.version, plural: t.plural, namespaced: true, kind: t.kind })),
  );
}

/** What is left in a namespace, by resource, as the NamespaceContentRemaining message says it. */
export function remainingMessage(remaining: Map<string, number>): string {
  return `Some resources are remaining: ${[...remaining].map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`;
}

export class NamespaceController extends LoopController {
  readonly name = 'namespace';
  protected readonly loop: ControllerLoop;
  private readonly namespaces: SharedInformer;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly resources: () => ResourceRef[] = namespacedResources,
  ) {
    super();
    this.loop = new ControllerLoop({ name: 'namespace', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.namespaces = ctx.factory.informerFor(NAMESPACES);
    this.namespaces.addEventHandler({
      onAdd: (n) => n.metadata.deletionTimestamp && this.loop.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => n.metadata.deletionTimestamp && this.loop.enqueue(n.metadata.name!),
      // A namespace removed without going through Terminating (an API server that does not keep it
      // for its spec.finalizers) still has its content purged.
      onDelete: (n) => this.loop.enqueue(deletedObject(n).metadata.name!),
    });
  }

  async sync(name: string): Promise<SyncResult | void> {
    const ns = this.namespaces.lister.get(undefined, name);
    if (!ns) {
      const gone = await this.ctx.client.resource(NAMESPACES).get(name).then(() => false, (e) => isStatusError(e, 404));
      if (!gone) return;
      const { remaining } = await this.deleteContent(name);
      return remaining.size ? { requeueAfterMs: 1000 } : undefined;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes('kubernetes')) return;
    const { remaining, failures } = await this.deleteContent(name);
    if (remaining.size || failures.length) {
      await this.recordConditions(ns, remaining, failures);
      return { requeueAfterMs: 1000 };
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    const client = this.ctx.client.resource(NAMESPACES);
    try {
      await client.updateSubresource(name, 'finalize', { ...ns, spec: { ...(ns.spec ?? {}), finalizers } });
    } catch (e) {
      if (isStatusError(e, 404)) return;
      throw e;
    }
  }

  /** Namespaced custom resources in discovery (preferred versions) that can be listed and deleted. */
  private async discoveredResources(): Promise<ResourceRef[]> {
    try {
      return preferred(await discoverCustomResources(this.ctx.client))
        .filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'))
        .map(({ group, version, plural, kind }) => ({ group, version, plural, namespaced: true, kind }));
    } catch {
      return [];
    }
  }

  /** Deletes every object of every namespaced kind in the namespace; reports what is still there. */
  private async deleteContent(name: string): Promise<{ remaining: Map<string, number>; failures: string[] }> {
    const remaining = new Map<string, number>();
    const failures: string[] = [];
    const resources = [...this.resources(), ...(await this.discoveredResources())];
    await Promise.all(
      resources.map(async (rt) => {
        const rc = this.ctx.client.resource(rt);
        let items: KubeObject[];
        try {
          items = (await rc.list({ namespace: name })).items;
        } catch (e) {
          if (isStatusError(e, 404) || isStatusError(e, 405)) return;
          failures.push(`${rt.plural}: ${(e as Error).message}`);
          return;
        }
        const live = items.filter((o) => !o.metadata.deletionTimestamp);
        await Promise.all(
          live.map((o) =>
            rc.delete(o.metadata.name!, { namespace: name, propagationPolicy: 'Background' }).catch((e) => {
              if (!isStatusError(e, 404)) failures.push(`${rt.plural} "${o.metadata.name}": ${(e as Error).message}`);
            }),
          ),
        );
        if (items.length) remaining.set(rt.group ? `${rt.plural}.${rt.group}` : rt.plural, items.length);
      }),
    );
    return { remaining, failures };
  }

  /** NamespaceContentRemaining / NamespaceDeletionContentFailure conditions while emptying. */
  private async recordConditions(ns: KubeObject, remaining: Map<string, number>, failures: string[]): Promise<void> {
    const now = nowIso(this.ctx.client.clock.now());
    let conds = ns.status?.conditions ?? [];
    conds = setCondition(conds, remaining.size
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: remainingMessage(remaining), lastTransitionTime: now }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed', lastTransitionTime: now });
    conds = setCondition(conds, failures.length
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`, lastTransitionTime: now }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization', lastTransitionTime: now });
    if (JSON.stringify(conds) === JSON.stringify(ns.status?.conditions ?? [])) return;
    await this.ctx.client
      .resource(NAMESPACES)
      .updateStatus({ ...ns, status: { ...(ns.status ?? {}), conditions: conds } })
      .catch(() => {});
  }
}
