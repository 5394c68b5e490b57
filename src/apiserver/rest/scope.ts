// What every REST handler works with: the server's parts (registry, store, pipeline, ...) and the
// request's scope (resource type, namespace, name, query). Plus storage-error → Status mapping.
import type { Clock, Random } from '../../clock/index.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { StatusError, alreadyExists, conflict, expired, notFound, OBJECT_MODIFIED } from '../../api/errors.ts';
import type { Registry } from '../../api/registry.ts';
import type { ResourceType } from '../../api/resource.ts';
import { apiVersionOf, type KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix, StorageError, type StoreEntry, type WatchCache } from '../../storage/interface.ts';
import type { ApiMetrics } from '../metrics.ts';
import { addWarning, JsonAnswer, toJson } from '../respond.ts';
import type { AdmissionAttributes, AdmissionOperation, Pipeline, UserInfo } from '../pipeline/index.ts';
import type { RequestInfo } from '../routing.ts';
import type { TokenIssuer } from '../serviceaccount/issuer.ts';
import { auditAnnotate, type Auditor } from '../audit/index.ts';
import { deepCopy } from '../../api/core/json.ts';

export interface WatchSettings {
  /** Period of BOOKMARK events for watches with allowWatchBookmarks=true. */
  bookmarkIntervalMs: number;
  /** A watcher whose unsent output exceeds this is cut off (the client relists). */
  maxBufferedBytes: number;
  /** timeoutSeconds when the client sends none. */
  defaultTimeoutSeconds: number;
  /** Period of `: keepalive` comments on Server-Sent Events watches (default 15 s). */
  keepaliveMs?: number;
}

export interface ApiCore {
  registry: Registry;
  store: WatchCache;
  pipeline: Pipeline;
  logger: Logger;
  metrics: ApiMetrics;
  watch: WatchSettings;
  /** Ends every open long-running request (watches, log follows) at shutdown. */
  longRunning: Set<() => void>;
  /** Signs ServiceAccount tokens (serviceaccounts/token); absent = TokenRequest not served. */
  tokenIssuer?: TokenIssuer;
  /** The time written into objects (creationTimestamp, deletionTimestamp, managedFields) and the uid/name source. */
  clock: Clock;
  random: Random;
  /** --request-timeout for requests that are not long-running (ms; 0/undefined = none). */
  requestTimeoutMs?: number;
  /** --audit-policy-file + --audit-log-path: the audit log, when configured. */
  audit?: Auditor;
  /** --event-ttl: how long an Event is kept after its last write (ms; 0 = forever). */
  eventTtlMs?: number;
}

export interface Scope {
  core: ApiCore;
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  rt: ResourceType;
  query: URLSearchParams | undefined;
  user: UserInfo;
}

export function keyOf(rt: ResourceType, namespace: string | undefined, name: string): string {
  return objectKey(rt.group, rt.plural, rt.namespaced ? namespace : undefined, name);
}

/** The prefix of a list/watch: one namespace, or all of them. */
export function prefixOf(rt: ResourceType, namespace: string | undefined): string {
  const p = resourcePrefix(rt.group, rt.plural);
  return rt.namespaced && namespace ? `${p}${namespace}/` : p;
}

/** "deployments.apps", "pods": how Kubernetes names a resource in messages. */
export function qualified(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

export function apiVersionOfRt(rt: ResourceType): string {
  return apiVersionOf(rt.group, rt.version);
}

/** Storage errors as the Status a client expects for this resource and name. */
export function mapStorageError(err: unknown, rt: ResourceType, name: string): unknown {
  if (!(err instanceof StorageError)) return err;
  switch (err.code) {
    case 'KeyExists':
      return alreadyExists(rt.plural, name, rt.group);
    case 'KeyNotFound':
      return notFound(rt.plural, name, rt.group);
    case 'Conflict':
      return conflict(rt.plural, name, OBJECT_MODIFIED, rt.group);
    case 'Compacted':
      return expired(err.message);
    case 'TooLargeResourceVersion':
      return new StatusError(504, 'Timeout', err.message, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    case 'Unavailable':
      return new StatusError(503, 'ServiceUnavailable', err.message);
  }
}

/** Whether objects of this kind change on the way out (conversion, decoding or a decorator), so cached JSON cannot be sent as is. */
export function changesOnTheWayOut(rt: ResourceType): boolean {
  return rt.conversion !== undefined || rt.decode !== undefined || rt.rest?.decorator !== undefined;
}

/**
 * A stored object decoded and in the served version (what a patch applies to): no decorator. Kinds
 * converting through a webhook get objects already decoded and converted (toServed).
 */
export function inRequestVersion(rt: ResourceType, obj: KubeObject): KubeObject {
  if (rt.conversion?.convert) return rt.conversion.fromStorage(obj);
  const decoded = rt.decode ? rt.decode(obj) : obj;
  return rt.conversion ? rt.conversion.fromStorage(decoded) : decoded;
}

/**
 * An object as a client of this resource version sees it: kinds served from another version's
 * storage (autoscaling/v1 HPA stored as v2) are converted on the way out, then the kind's
 * decorator (if any) changes a copy.
 */
export function wireObject(rt: ResourceType, obj: KubeObject): KubeObject {
  const out = inRequestVersion(rt, obj);
  const decorate = rt.rest?.decorator;
  if (!decorate) return out;
  const copy = deepCopy(out);
  decorate(copy);
  return copy;
}

/** The response JSON of a stored object (its cached serialization when nothing changes it on the way out). */
export function wireJson(rt: ResourceType, obj: KubeObject, json?: string): string {
  if (changesOnTheWayOut(rt)) return JSON.stringify(wireObject(rt, obj));
  return json ?? toJson(obj);
}

/**
 * The answer body of a stored object (sendJson): wireJson's text, or the object for an in-process
 * client. `text`, the store's entry, is read for its JSON only if the answer goes out as text.
 */
export function wireBody(rt: ResourceType, obj: KubeObject, text?: Pick<StoreEntry, 'json'>): KubeObject | JsonAnswer {
  if (changesOnTheWayOut(rt)) return wireObject(rt, obj);
  return new JsonAnswer(obj, text && (() => text.json ?? toJson(obj)));
}

export function admissionAttrs(
  s: Scope,
  operation: AdmissionOperation,
  object: KubeObject | undefined,
  oldObject: KubeObject | undefined,
  name: string | undefined,
  dryRun: boolean,
  options: Record<string, unknown> = writeOptions(operation, s.query, dryRun),
): AdmissionAttributes {
  return {
    operation,
    rt: s.rt,
    info: s.info,
    namespace: s.rt.namespaced ? s.info.namespace : undefined,
    name,
    subresource: s.info.subresource,
    object,
    oldObject,
    dryRun,
    user: s.user,
    options,
    // methods rather than named arrows: tsx (esbuild keepNames) names every named arrow it makes, per call
    warn(text) {
      addWarning(s.res, text);
    },
    annotate(key, value) {
      auditAnnotate(s.res, key, value);
    },
    reinvocation: { isReinvoke: false, shouldReinvoke: false, values: new Map() },
  };
}

/** CreateOptions / UpdateOptions of a write, from its query (PATCH and apply map onto them as in Kubernetes). */
export function writeOptions(operation: AdmissionOperation, q: URLSearchParams | undefined, dryRun: boolean): Record<string, unknown> {
  const kind = operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const o: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (dryRun) o.dryRun = ['All'];
  const fieldManager = q?.get('fieldManager');
  if (fieldManager && operation !== 'DELETE') o.fieldManager = fieldManager;
  const fieldValidation = q?.get('fieldValidation');
  if (fieldValidation && operation !== 'DELETE') o.fieldValidation = fieldValidation;
  return o;
}

export function isDryRun(q: URLSearchParams | undefined, body?: { dryRun?: unknown }): boolean {
  const v = q?.getAll('dryRun') ?? [];
  if (v.includes('All')) return true;
  const b = body?.dryRun;
  return Array.isArray(b) && b.includes('All');
}
