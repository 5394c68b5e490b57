// A kind's REST storage hooks — Kubernetes' generic registry Store (BeginCreate, BeginUpdate,
// AfterCreate, AfterUpdate, AfterDelete, Decorator) plus its own subresources and legacy collections
// (pods/binding, namespaces/finalize, POST namespaces/<ns>/bindings). The generic REST code calls
// them through the registry entry (`rt.rest`), so it never names a kind; src/apiserver/kinds/ holds
// the built-in kinds' hooks, and a kind registered at run time brings its own in `rest`.
import type { Registry } from '../../api/registry.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { methodNotAllowed } from '../../api/errors.ts';
import type { RequestInfo, Verb } from '../routing.ts';
import type { ApiCore, Scope } from './scope.ts';
import type { HttpAnswer } from '../http-types.ts';
import type { ApiResourceEntry } from '../discovery/index.ts';

/** Serves one request; resolves to the status code sent. */
export type RestHandler = (s: Scope) => Promise<number>;

/** Handlers by verb; '*' serves every verb (a connect-style subresource such as pods/exec). */
export type VerbHandlers = Partial<Record<Verb | '*', RestHandler>>;

declare module '../../api/resource.ts' {
  interface RestHooks {
    /**
     * BeginCreate: runs on a new object after defaulting, mutating admission, the strategy and
     * validation, before validating admission (dry runs included); throw a StatusError to refuse.
     * Services allocate their clusterIP and nodePorts here.
     */
    beginCreate?(s: Scope, obj: KubeObject): Promise<void> | void;
    /** BeginUpdate: the same for an update of the main resource or of a subresource other than status. */
    beginUpdate?(s: Scope, obj: KubeObject, old: KubeObject): Promise<void> | void;
    /** A create that ran beginCreate failed before or while storing (validating admission, KeyExists, the store down). */
    abortCreate?(s: Scope, obj: KubeObject): void;
    /** AfterCreate: the object was stored (or would have been: dryRun). */
    afterCreate?(s: Scope, obj: KubeObject, dryRun: boolean): void;
    /** AfterUpdate: the new object was stored (or would have been: dryRun); not called for no-op writes. */
    afterUpdate?(s: Scope, obj: KubeObject, dryRun: boolean): void;
    /** AfterDelete: the object is gone (not for a delete that leaves it terminating or finalizing). */
    afterDelete?(s: Scope, obj: KubeObject, dryRun: boolean): void;
    /**
     * TTLFunc: objects of this kind are deleted once this long (ms) has passed since their last
     * write, on the server's clock (rest/expiry.ts); undefined or 0 = kept. Read once at start.
     */
    ttlMs?(core: ApiCore): number | undefined;
    /**
     * false: the watch cache keeps nothing of this kind (Kubernetes' DefaultWatchCacheSizes gives
     * events a size of 0): get, list and watch read the storage backend, as kube-apiserver serves
     * them from etcd. Read once when the server starts (CRDs are always cached).
     */
    watchCache?: false;
    /** Decorator: changes an outgoing copy of every object answered (get, list, watch, writes). */
    decorator?(obj: KubeObject): void;
    /**
     * Creates, updates and patches of the main resource run one at a time per server (an allocator
     * that reads what the stored objects hold, as Services' addresses, cannot then hand out one twice).
     */
    serializeWrites?: boolean;
    /** The kind's own subresources by name (status and scale are generic, from rt.subresources). */
    subresources?: Record<string, VerbHandlers>;
    /** Own subresources that stream (pods/log): exempt from --request-timeout, as Kubernetes' long-running check makes them. */
    longRunning?: string[];
    /**
     * Legacy collections this kind's storage serves beside its own, in its group/version and scope:
     * `bindings` (POST /api/v1/namespaces/<ns>/bindings binds a pod). The Scope's rt is this kind.
     */
    collections?: Record<string, VerbHandlers>;
    /**
     * An aggregated API whose resource names are data (custom.metrics.k8s.io:
     * `<resource>/<name>/<metric>`; external.metrics.k8s.io: `<metric>`): every path of the kind's
     * group/version and scope that names no registered resource goes to these handlers, whatever
     * its name, subresource and scope. The Scope's rt is this kind.
     */
    anyResource?: VerbHandlers;
    /**
     * The resources discovery lists for the kind's group/version when they are data (the
     * custom.metrics.k8s.io adapters' `pods/<metric>`): APIResourceList entries, read at request time.
     */
    resourceList?(core: ApiCore): Promise<ApiResourceEntry[]>;
    /**
     * A kind not kept in the store (an aggregated API's resources: metrics.k8s.io) answers get and
     * list itself, as an aggregated server's REST storage implements Getter and Lister.
     */
    get?: RestHandler;
    list?: RestHandler;
  }
}

/** An own (non-inherited) entry of a name-keyed table: a path segment such as "constructor" finds nothing. */
function own<T>(table: Record<string, T> | undefined, name: string): T | undefined {
  return table && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The kind's own handlers for a subresource, if its storage has that subresource. */
export function ownSubresource(rt: ResourceType, name: string): VerbHandlers | undefined {
  return own(rt.rest?.subresources, name);
}

/** The handler of a verb, or a 405 when the subresource/collection does not serve it. */
export function handlerFor(handlers: VerbHandlers, verb: Verb): RestHandler {
  const h = handlers[verb] ?? handlers['*'];
  if (!h) throw methodNotAllowed('the server does not allow this method on the requested resource');
  return h;
}

/**
 * The kind serving a path that names no registered resource through one of its legacy collections,
 * with the handler of the request's verb; undefined = no such resource (404).
 */
export function collectionOwner(registry: Registry, info: RequestInfo): { rt: ResourceType; handler: RestHandler; anyScope?: boolean } | undefined {
  let wildcard: { rt: ResourceType; handler: RestHandler; anyScope: true } | undefined;
  for (const rt of registry.all()) {
    if (rt.group !== info.group || rt.version !== info.version) continue;
    // an aggregated API's data paths may be root-scoped (custom.metrics.k8s.io nodes/<name>/<metric>)
    const any = rt.rest?.anyResource;
    const h = any && (any[info.verb] ?? any['*']);
    if (h) wildcard ??= { rt, handler: h, anyScope: true };
    if (info.name !== undefined || rt.namespaced !== (info.namespace !== undefined)) continue;
    const handlers = own(rt.rest?.collections, info.resource);
    const handler = handlers && (handlers[info.verb] ?? handlers['*']);
    if (handler) return { rt, handler };
  }
  return wildcard;
}

const tails = new WeakMap<ApiCore, Map<string, Promise<unknown>>>();

/** Runs write after every write of this resource started before it on this server, when its storage asks for that. */
export function exclusiveWrite<T>(s: Scope, write: () => Promise<T>): Promise<T> {
  if (!s.rt.rest?.serializeWrites) return write();
  let byResource = tails.get(s.core);
  if (!byResource) tails.set(s.core, (byResource = new Map()));
  const key = `${s.rt.group}/${s.rt.plural}`;
  const run = (byResource.get(key) ?? Promise.resolve()).then(write);
  byResource.set(key, run.catch(() => undefined));
  return run;
}

/** The group/versions whose kinds list their resources as data (RestHooks.resourceList), with those resources. */
export async function dataResources(core: ApiCore): Promise<Map<string, ApiResourceEntry[]>> {
  const out = new Map<string, ApiResourceEntry[]>();
  for (const t of core.registry.all()) if (t.rest?.resourceList) out.set(`${t.group}/${t.version}`, await t.rest.resourceList(core));
  return out;
}

/** Bodies by the resource list they were made from (a resourceList answers the same array until it changes). */
const dataBodies = new WeakMap<ApiResourceEntry[], string>();

/**
 * The APIResourceList of /apis/<group>/<version> when a kind of that group/version lists its
 * resources as data (RestHooks.resourceList); undefined for every other path.
 */
export function answerDataDiscovery(core: ApiCore, path: string): Promise<HttpAnswer> | undefined {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  if (parts.length !== 3 || parts[0] !== 'apis') return undefined;
  const [, group, version] = parts;
  const rt = core.registry.all().find((t) => t.group === group && t.version === version && t.rest?.resourceList);
  if (!rt) return undefined;
  return rt.rest!.resourceList!(core).then((resources) => {
    let body = dataBodies.get(resources);
    if (body === undefined) dataBodies.set(resources, (body = JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources })));
    return { status: 200, headers: { 'Content-Type': 'application/json', Vary: 'Accept' }, body };
  });
}
