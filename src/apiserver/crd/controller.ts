// The API server's CustomResourceDefinition controllers (apiextensions-apiserver's naming,
// establishing, finalizer and CRD handler, in one loop): it watches the stored CRDs and, per CRD,
//  - accepts its names unless another CRD of the group (or a built-in resource) uses them, and
//    sets NamesAccepted and Established;
//  - registers one registry entry per served version once Established (discovery and OpenAPI are
//    recomputed from the registry's new generation), and removes them when the CRD goes; with
//    `conversion.strategy: Webhook` the entries convert through the CRD's webhook (conversion.ts);
//  - on delete (customresourcecleanup finalizer, Terminating), deletes every custom resource,
//    waits for their finalizers, then removes the finalizer so the CRD itself goes.
import type { Logger } from 'pino';
import { StatusError } from '../../api/errors.ts';
import type { ResourceType } from '../../api/resource.ts';
import { customResourceType, deprecationWarning } from '../../api/apiextensions/resource.ts';
import { calculateNames, usedNames } from '../../api/apiextensions/names.ts';
import { CLEANUP_FINALIZER, CRD_GROUP, isConditionTrue, setCondition, storageVersionOf, type Crd } from '../../api/apiextensions/types.ts';
import { objectKey, resourcePrefix, StorageError, type StoreEvent, type Unsubscribe } from '../../storage/interface.ts';
import { compareVersions } from '../discovery/groups.ts';
import { webhookConverter } from './conversion.ts';
import { anonymousAdmin } from '../pipeline/index.ts';
import { deleteObject } from '../rest/delete.ts';
import { timestamp } from '../rest/objectmeta.ts';
import type { ApiCore, Scope } from '../rest/scope.ts';
import { deepCopy } from '../../api/core/json.ts';

const CRD_PLURAL = 'customresourcedefinitions';
const RETRY_MS = 1000;

const crdKey = (name: string) => objectKey(CRD_GROUP, CRD_PLURAL, undefined, name);

/** A server-internal request scope (the finalizer deleting custom resources). */
function internalScope(core: ApiCore, rt: ResourceType, namespace: string | undefined, name: string): Scope {
  return {
    core,
    req: undefined as never,
    res: undefined as never,
    info: { verb: 'delete', group: rt.group, version: rt.version, resource: rt.plural, namespace, name, path: '' },
    rt,
    query: undefined,
    user: anonymousAdmin,
  };
}

interface Served {
  /** What the entries were built from: rebuilt only when it changes. */
  signature: string;
  types: ResourceType[];
}

export class CrdController {
  private readonly known = new Map<string, Crd>();
  private readonly served = new Map<string, Served>();
  private readonly terminating = new Set<string>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe?: Unsubscribe;
  private stopped = false;
  private readonly logger: Logger;

  constructor(private readonly core: ApiCore) {
    this.logger = core.logger.child({ component: 'crd' });
  }

  /** Registers the stored CRDs' resources, then follows every change. */
  async start(): Promise<void> {
    const prefix = resourcePrefix(CRD_GROUP, CRD_PLURAL);
    const page = await this.core.store.listPage(prefix, {});
    for (const o of page.items) this.known.set(o.metadata.name!, o as Crd);
    await Promise.all(page.items.map((o) => this.reconcile(o.metadata.name!)));
    this.unsubscribe = this.core.store.watch(prefix, page.revision, (ev: StoreEvent) => this.enqueue(ev.object.metadata.name!));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
  }

  /** Whether a CRD is being deleted (its resources refuse creates meanwhile). */
  isTerminating(name: string): boolean {
    return this.terminating.has(name);
  }

  /** Resolves once every reconcile queued so far has run (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }

  enqueue(name: string): void {
    if (this.stopped) return;
    const run = (this.tails.get(name) ?? Promise.resolve()).then(() => this.reconcile(name)).catch((err) => {
      this.logger.warn({ err, crd: name }, 'reconcile failed; retrying');
      this.later(name);
    });
    this.tails.set(name, run);
    void run.then(() => {
      if (this.tails.get(name) === run) this.tails.delete(name);
    });
  }

  private later(name: string, ms = RETRY_MS): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(name);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async reconcile(name: string): Promise<void> {
    if (this.stopped) return;
    const store = this.core.store;
    const entry = await store.get(crdKey(name));
    if (!entry) {
      this.known.delete(name);
      this.terminating.delete(name);
      this.unregister(name);
      // a name it held may now be free for another CRD of the group
      for (const other of this.known.keys()) if (!isConditionTrue(this.known.get(other)!, 'NamesAccepted')) this.enqueue(other);
      return;
    }
    let crd = entry.object as Crd;
    this.known.set(name, crd);
    if (!crd.metadata.deletionTimestamp) {
      const next = this.withNames(crd);
      if (next) {
        try {
          crd = (await store.update(crdKey(name), next, entry.modRevision)).object as Crd;
          this.known.set(name, crd);
        } catch (err) {
          if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyNotFound')) return this.enqueue(name);
          throw err;
        }
      }
    }
    if (isConditionTrue(crd, 'Established')) this.register(crd);
    else this.unregister(name);
    if (crd.metadata.deletionTimestamp) {
      this.terminating.add(name);
      if (crd.metadata.finalizers?.includes(CLEANUP_FINALIZER)) await this.finalize(crd);
    } else this.terminating.delete(name);
  }

  /** The CRD with its accepted names and conditions, or undefined when they are already so. */
  private withNames(crd: Crd): Crd | undefined {
    const builtins = this.core.registry.all().filter((t) => t.group === crd.spec.group && !this.isOurs(t));
    const r = calculateNames(crd, usedNames(crd, [...this.known.values()], builtins));
    const next = deepCopy(crd);
    next.status ??= {};
    next.status.acceptedNames = r.acceptedNames;
    const now = timestamp();
    setCondition(next, r.namesAccepted, now);
    setCondition(next, r.established, now);
    const same = (c: Crd) => JSON.stringify([c.status?.acceptedNames, c.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message])]);
    return same(next) === same(crd) ? undefined : next;
  }

  private isOurs(t: ResourceType): boolean {
    for (const s of this.served.values()) if (s.types.includes(t)) return true;
    return false;
  }

  private register(crd: Crd): void {
    const name = crd.metadata.name!;
    const signature = JSON.stringify([crd.metadata.uid, crd.metadata.generation, crd.status?.acceptedNames, crd.status?.storedVersions]);
    const cur = this.served.get(name);
    if (cur?.signature === signature) return;
    const registry = this.core.registry;
    const types: ResourceType[] = [];
    const convert = crd.spec.conversion?.strategy === 'Webhook' ? webhookConverter(this.core, crd) : undefined;
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const rt = customResourceType(crd, v.name, { warning: deprecationWarning(crd, v, compareVersions) });
      if (convert && rt.conversion) rt.conversion.convert = convert;
      const group = crd.spec.group;
      rt.rest = {
        beginCreate: (s, obj) => {
          if (!this.isTerminating(name)) return;
          throw new StatusError(403, 'Forbidden', `${rt.plural}.${group} "${obj.metadata.name ?? ''}" is forbidden: create not allowed while custom resource definition is terminating`, {
            name: obj.metadata.name,
            group,
            kind: rt.plural,
          });
        },
      };
      types.push(rt);
    }
    for (const old of cur?.types ?? []) if (!types.some((t) => t.version === old.version)) registry.remove(old);
    for (const t of types) registry.add(t);
    this.served.set(name, { signature, types });
    this.logger.debug({ crd: name, versions: types.map((t) => t.version) }, 'serving custom resources');
  }

  private unregister(name: string): void {
    const cur = this.served.get(name);
    if (!cur) return;
    for (const t of cur.types) this.core.registry.remove(t);
    this.served.delete(name);
  }

  /** The finalizer: delete every custom resource, wait until none is left, then let the CRD go. */
  private async finalize(crd: Crd): Promise<void> {
    const name = crd.metadata.name!;
    const store = this.core.store;
    await this.setTerminating(name, 'True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress');
    const storage = storageVersionOf(crd) ?? crd.spec.versions[0]?.name;
    if (storage && crd.spec.names?.plural) {
      const rt = customResourceType(crd, storage);
      const prefix = resourcePrefix(rt.group, rt.plural);
      const { items } = await store.listPage(prefix, {});
      const errors: string[] = [];
      for (const o of items) {
        if (o.metadata.deletionTimestamp) continue;
        const ns = rt.namespaced ? o.metadata.namespace : undefined;
        await deleteObject(internalScope(this.core, rt, ns, o.metadata.name!), o.metadata.name!, { dryRun: false }).catch((err) => {
          if (!(err instanceof StatusError && err.code === 404)) errors.push(String((err as Error).message));
        });
      }
      if (errors.length) {
        await this.setTerminating(name, 'True', 'InstanceDeletionFailed', `could not issue all deletes: ${errors.join(', ')}`);
        return this.later(name);
      }
      const left = await store.listPage(prefix, {});
      if (left.items.length) return this.later(name, 200);
    }
    await this.setTerminating(name, 'False', 'InstanceDeletionCompleted', 'removed all instances');
    for (let attempt = 0; attempt < 20; attempt++) {
      const e = await store.get(crdKey(name));
      if (!e) return;
      const next = deepCopy(e.object) as Crd;
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      try {
        if (next.metadata.finalizers.length === 0) await store.delete(crdKey(name), e.modRevision);
        else await store.update(crdKey(name), next, e.modRevision);
        return;
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'Conflict')) throw err;
      }
    }
  }

  private async setTerminating(name: string, status: 'True' | 'False', reason: string, message: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const e = await this.core.store.get(crdKey(name));
      if (!e) return;
      const crd = e.object as Crd;
      const c = crd.status?.conditions?.find((x) => x.type === 'Terminating');
      if (c && c.status === status && c.reason === reason && c.message === message) return;
      const next = deepCopy(crd);
      setCondition(next, { type: 'Terminating', status, reason, message }, timestamp());
      try {
        await this.core.store.update(crdKey(name), next, e.modRevision);
        return;
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'Conflict')) throw err;
      }
    }
  }
}
