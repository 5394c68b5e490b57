// The contract of one registry entry: everything the API server, the client, discovery,
// OpenAPI and kubectl's tables need to know about a kind. Adding a kind is adding one of these.
import type { FieldError } from './errors.ts';
import type { KubeObject } from './types.ts';

/** A JSON-schema subset (OpenAPI v3 flavoured) describing a kind's fields. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  /** Map values (objects with arbitrary keys, e.g. labels). */
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  format?: string;
  /** int-or-string, quantities: accept both. */
  'x-kubernetes-int-or-string'?: boolean;
  /** Free-form object: unknown fields inside are not rejected. */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** Strategic merge patch: list items are merged by this key. */
  'x-kubernetes-patch-merge-key'?: string;
  /** Strategic merge patch: "merge" | "replace" | "retainKeys" | "merge,retainKeys". */
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0 = always shown; 1 = only with `-o wide`. */
  priority: 0 | 1;
}

export interface ScaleSubresource {
  /** JSON path (dot-separated) of the desired replicas, e.g. "spec.replicas". */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Where the label selector lives, for Scale.status.selector. */
  labelSelectorPath?: string;
}

export interface Subresources {
  status?: boolean;
  scale?: ScaleSubresource;
  /** pods/binding */
  binding?: boolean;
  /** pods/log */
  log?: boolean;
  /** pods/eviction */
  eviction?: boolean;
  /** certificatesigningrequests/approval */
  approval?: boolean;
  /** serviceaccounts/token (authentication.k8s.io/v1 TokenRequest) */
  token?: boolean;
}

export interface ResourceType {
  group: string; // "" for core
  version: string;
  kind: string;
  listKind: string;
  plural: string; // the resource name on the wire
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  subresources: Subresources;
  /** Verbs on the main resource, for discovery. */
  verbs: string[];
  /** Fields (beyond metadata.name / metadata.namespace) usable in fieldSelector, with their getters. */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** The schema of the whole object (apiVersion, kind, metadata, spec, status, ...). */
  schema: Schema;
  /** Fills defaults in place, as the API server's defaulting does (on create and update). */
  defaults(obj: KubeObject): void;
  /** Validation of a new object (create) or of the result of an update (old given); warn = a Warning header. */
  validate(obj: KubeObject, old?: KubeObject, warn?: (text: string) => void): FieldError[];
  /**
   * Set on a version served from another version's storage (autoscaling/v1 HPA is stored as
   * autoscaling/v2, under the same key). defaults() already converts v1 bodies to the storage
   * version in place; an API server that wants exact v1 answers converts what it returns for this
   * version with fromStorage (and toStorage is idempotent on storage-version objects).
   */
  conversion?: {
    storageVersion: string;
    toStorage(obj: KubeObject): KubeObject;
    fromStorage(obj: KubeObject): KubeObject;
    /**
     * Set when converting calls out (a CRD with `strategy: Webhook`): the API server then converts
     * through this, one batch of objects to one apiVersion (a LIST's items in one ConversionReview),
     * answering them in order; toStorage/fromStorage only pass through objects already in the
     * version asked for. The object a write carries stays in the request version until stored.
     */
    convert?(objs: KubeObject[], apiVersion: string): Promise<KubeObject[]>;
  };
  /**
   * Applied to every object read from storage, before any conversion (Kubernetes' storage decoder:
   * a custom resource pruned and defaulted by the schema of its stored version, so a default added
   * to a CRD shows on existing objects without a write). Returns a new object, or the argument when
   * nothing changes; absent = objects are served as stored.
   */
  decode?(obj: KubeObject): KubeObject;
  /**
   * Removes the fields the schema does not declare and returns their paths (`spec.foo`), for
   * fieldValidation (custom resources are pruned whatever the mode). Absent = unknown fields are
   * reported from the schema and kept.
   */
  pruneUnknownFields?(obj: KubeObject): string[];
  /** OpenAPI: the definition name (default io.k8s.api.<group>.<version>.<Kind>); inline = nested objects are not hoisted into components (CRDs). */
  openapi?: { definitionName: string; inline?: boolean };
  /** Strategic merge patch is refused with 415 (custom resources). */
  noStrategicMerge?: boolean;
  /** A Warning header on every request for this resource version (a deprecated CRD version). */
  warning?: string;
  /** The update strategy: which top-level fields a main-resource update may change vs. the status subresource. */
  strategy: UpdateStrategy;
  /** Per-kind deletion rules; absent = deleted at once unless metadata.finalizers hold the object. */
  deletion?: DeletionStrategy;
  /**
   * The kind's REST storage hooks (Kubernetes' generic registry Store: BeginCreate, BeginUpdate,
   * AfterCreate, AfterUpdate, AfterDelete, Decorator, per-kind subresources and legacy collections).
   * Absent = the generic store alone. Set by the API server layer, not here: see RestHooks.
   */
  rest?: RestHooks;
  /** Table columns for `kubectl get`, and the cells of one row (after NAME, which is always first). */
  table: {
    columns: TableColumn[];
    cells(obj: KubeObject, now: Date): unknown[];
    /**
     * false: the kind has no leading NAME column (Event: LAST SEEN TYPE REASON OBJECT ...), so toTable
     * must not prepend one; cells() then returns every cell, and its columns include "Name" (priority 1).
     * Absent/true: toTable prepends Name.
     */
    nameColumn?: boolean;
  };
}

/**
 * Declared empty on purpose: hooks work with the API server's state (its store, the request), which
 * this folder cannot import. src/apiserver/rest/storage.ts fills in the members (TypeScript interface
 * merging), and src/apiserver/kinds/ attaches the built-in kinds' hooks to their entries.
 */
export interface RestHooks {}

/** Kubernetes' RESTDeleteStrategy/RESTGracefulDeleteStrategy: what a DELETE does beyond the generic rules. */
export interface DeletionStrategy {
  /** Seconds the object stays (deletionTimestamp = now + grace) before it goes; requested = DeleteOptions.gracePeriodSeconds. Absent = 0. */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number;
  /** Finalizers beyond metadata.finalizers that hold an object being deleted (a Namespace's spec.finalizers). */
  extraFinalizers?(obj: KubeObject): string[];
  /** Finalizers the kind adds to metadata.finalizers when a delete starts (a CRD's customresourcecleanup). */
  finalizersOnDelete?(obj: KubeObject): string[];
  /** Applied to an object a delete leaves in place (a Namespace goes Terminating). */
  markDeleting?(obj: KubeObject): void;
}

export interface UpdateStrategy {
  /** Whether this kind's status can only be written through the status subresource. */
  hasStatus: boolean;
  /** Top-level fields that count as "spec" for metadata.generation (bumped only when these change). Empty = never bump. */
  specFields: string[];
  /** Decides generation bumps instead of specFields (custom resources: anything outside metadata and status); objects get generation 1. */
  specChanged?(obj: KubeObject, old: KubeObject): boolean;
  /** Prepare an object on create (e.g. reset status for kinds with a status subresource). */
  prepareForCreate?(obj: KubeObject): void;
  /** Prepare an update of the main resource: e.g. keep old status. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Prepare an update through the status subresource: e.g. keep old spec. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Immutable-field checks on update, beyond validate(). */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
}
