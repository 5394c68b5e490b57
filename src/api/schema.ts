// A compact DSL for the kinds' OpenAPI schemas, and unknown-field detection for fieldValidation=Strict.
// The schemas carry short descriptions (for `kubectl explain`) and the strategic-merge-patch
// extensions (`x-kubernetes-patch-merge-key` / `-strategy`) taken from Kubernetes' types.go tags.
import type { Schema } from './resource.ts';
import { StatusError } from './errors.ts';
import { canonicalTime } from './time.ts';
import { IdentityRing } from './core/identityring.ts';

const d = (description?: string): Partial<Schema> => (description ? { description } : {});

export const str = (description?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', ...d(description), ...extra });
export const int = (description?: string): Schema => ({ type: 'integer', format: 'int32', ...d(description) });
export const int64 = (description?: string): Schema => ({ type: 'integer', format: 'int64', ...d(description) });
export const num = (description?: string): Schema => ({ type: 'number', format: 'double', ...d(description) });
export const bool = (description?: string): Schema => ({ type: 'boolean', ...d(description) });
/** RFC 3339 timestamp (metav1.Time). */
export const time = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...d(description) });
/** The MicroTime schemas (the OpenAPI shape is Time's: the set tells them apart). */
const MICRO_TIMES = new WeakSet<Schema>();
/** MicroTime (events.k8s.io eventTime, lease renewTime). */
export const microTime = (description?: string): Schema => {
  const s: Schema = { type: 'string', format: 'date-time', ...d(description) };
  MICRO_TIMES.add(s);
  return s;
};
export const enumStr = (values: string[], description?: string): Schema => ({ type: 'string', enum: values, ...d(description) });
export const intOrString = (description?: string): Schema => ({ 'x-kubernetes-int-or-string': true, format: 'int-or-string', ...d(description) });
/** resource.Quantity: "100m", "64Mi", or a number. */
export const quantity = (description?: string): Schema => ({ 'x-kubernetes-int-or-string': true, format: 'quantity', ...d(description) });
/** A base64 string ([]byte). */
export const bytes = (description?: string): Schema => ({ type: 'string', format: 'byte', ...d(description) });

export const obj = (description: string | undefined, properties: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({
  type: 'object',
  ...d(description),
  properties,
  ...extra,
});

/** map[string]V (labels, annotations, data, resources.requests...). Keys are free, never "unknown". */
export const map = (description?: string, values: Schema = { type: 'string' }): Schema => ({
  type: 'object',
  ...d(description),
  additionalProperties: values,
});

/** An object whose content is not checked (RawExtension, free-form). */
export const freeform = (description?: string): Schema => ({
  type: 'object',
  ...d(description),
  'x-kubernetes-preserve-unknown-fields': true,
});

export interface ListOpts {
  /** patchMergeKey tag. */
  mergeKey?: string;
  /** patchStrategy tag: "merge", "replace", "retainKeys", "merge,retainKeys". */
  strategy?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}

export const list = (description: string | undefined, items: Schema, o: ListOpts = {}): Schema => {
  const s: Schema = { type: 'array', ...d(description), items };
  if (o.mergeKey) s['x-kubernetes-patch-merge-key'] = o.mergeKey;
  if (o.strategy) s['x-kubernetes-patch-strategy'] = o.strategy;
  if (o.listType) s['x-kubernetes-list-type'] = o.listType;
  if (o.mapKeys) s['x-kubernetes-list-map-keys'] = o.mapKeys;
  return s;
};

/** A list merged by key under strategic merge patch (patchStrategy:"merge" patchMergeKey:key). */
export const mergeList = (description: string | undefined, items: Schema, key: string, mapKeys: string[] = [key]): Schema =>
  list(description, items, { mergeKey: key, strategy: 'merge', listType: 'map', mapKeys });

/** A set of strings merged by value ([]string with patchStrategy:"merge", e.g. finalizers). */
export const mergeSet = (description?: string): Schema => list(description, str(), { strategy: 'merge', listType: 'set' });

/** Copies a schema with another description. */
export const describe = (s: Schema, description: string): Schema => ({ ...s, description });

/** Marks an object schema as using the retainKeys patch strategy (volumes, deployment strategy). */
export const retainKeys = (s: Schema, strategy = 'retainKeys'): Schema => ({ ...s, 'x-kubernetes-patch-strategy': strategy });

/** Resolves the schema at a dotted path (`spec.containers` → items of containers' list schema's owner). */
export function schemaAt(schema: Schema, path: string[]): Schema | undefined {
  let cur: Schema | undefined = schema;
  for (const p of path) {
    if (!cur) return undefined;
    if (cur.type === 'array' && cur.items) cur = cur.items;
    if (cur.properties && p in cur.properties) cur = cur.properties[p];
    else if (cur.additionalProperties && typeof cur.additionalProperties === 'object') cur = cur.additionalProperties;
    else return undefined;
  }
  return cur;
}

/**
 * Paths of fields present in obj but not declared by schema (Kubernetes' strict decoding):
 * `spec.containers[0].imagee`. Maps (additionalProperties) and preserve-unknown-fields objects accept
 * any key. Values of the wrong JSON type are not reported here (that is validation's job).
 */
export function unknownFields(schema: Schema, value: unknown, path = ''): string[] {
  const out: string[] = [];
  walk(schema, value, path ? [path] : [], out);
  return out;
}

/**
 * The walk of unknownFields. `at` holds the path's steps (member names, item indexes): the path
 * string is only made for an unknown field, not for every member visited.
 */
function walk(schema: Schema, value: unknown, at: (string | number)[], out: string[]): void {
  if (value === null || value === undefined || schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items) {
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        // a scalar item has nothing unknown in it
        if (v === null || typeof v !== 'object') continue;
        at.push(i);
        walk(items, v, at, out);
        at.pop();
      }
    }
    return;
  }
  if (typeof value !== 'object') return;
  const props = schema.properties;
  const addl = schema.additionalProperties;
  if (!props && addl === undefined) return; // untyped object (int-or-string etc.): nothing to say
  const rec = value as Record<string, unknown>;
  for (const k in rec) {
    const v = rec[k];
    let sub: Schema | undefined;
    if (props && props[k] !== undefined) sub = props[k];
    else if (addl === true) continue;
    else if (addl && typeof addl === 'object') sub = addl;
    else {
      out.push(at.length ? `${pathOf(at)}.${k}` : k);
      continue;
    }
    if (v !== null && typeof v === 'object') {
      at.push(k);
      walk(sub, v, at, out);
      at.pop();
    }
  }
}

/** `spec.containers[0]` from the steps ['spec', 'containers', 0] (the first step is the path given, as is). */
function pathOf(at: (string | number)[]): string {
  let p = '';
  for (let i = 0; i < at.length; i++) {
    const s = at[i];
    p += typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`;
  }
  return p;
}

/**
 * The 400 the API server answers for fieldValidation=Strict with unknown fields:
 * `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`.
 */
export function strictDecodingError(kind: string, version: string, paths: string[]): StatusError {
  const what = paths.map((p) => `unknown field "${p}"`).join(', ');
  return new StatusError(400, 'BadRequest', `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${what}`);
}

/** The warning text used for fieldValidation=Warn (one per field). */
export function unknownFieldWarnings(paths: string[]): string[] {
  return paths.map((p) => `unknown field "${p}"`);
}

// ---- JSON type checks (what Go's decoder rejects before validation runs) ----

export interface TypeMismatch {
  /** e.g. "spec.replicas" */
  path: string;
  /** The schema's type: "integer", "string", "object", "array", "boolean", "number", "int-or-string". */
  expected: string;
  /** The JSON type found: "string", "number", "bool", "object", "array". */
  actual: string;
  value: unknown;
}

const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'object' : typeof v);

function typeOk(schema: Schema, v: unknown): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && (schema.format === 'quantity' || Number.isInteger(v)));
  switch (schema.type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return typeof v === 'object' && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    default:
      return true;
  }
}

/**
 * Values whose JSON type differs from the schema (`spec.replicas: "3"`). null counts as absent, as
 * for Go's decoder. Free-form objects are not looked into.
 */
export function typeMismatches(schema: Schema, value: unknown, path = ''): TypeMismatch[] {
  const out: TypeMismatch[] = [];
  checkTypes(schema, value, path, out);
  return out;
}

function checkTypes(schema: Schema, v: unknown, path: string, out: TypeMismatch[]): void {
  if (v === null || v === undefined) return;
  if (!typeOk(schema, v)) {
    out.push({ path, expected: schema['x-kubernetes-int-or-string'] ? 'int-or-string' : (schema.type ?? 'any'), actual: jsonType(v), value: v });
    return;
  }
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(v)) {
    if (schema.items) v.forEach((x, i) => checkTypes(schema.items!, x, `${path}[${i}]`, out));
    return;
  }
  if (typeof v !== 'object') return;
  const rec = v as Record<string, unknown>;
  const addl = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const k in rec) {
    const x = rec[k];
    if (x === null || x === undefined) continue;
    const sub = schema.properties?.[k] ?? addl;
    if (sub) checkTypes(sub, x, path ? `${path}.${k}` : k, out);
  }
}

/** True when the value fits the schema's JSON types (typeMismatches(...).length === 0, without building paths). */
export function wellTyped(schema: Schema, v: unknown): boolean {
  return fits(fitNodeOf(schema), v, 0);
}

/**
 * What wellTyped needs of a schema, worked out once (typeOk's test as a number, the members' nodes
 * made on first use), so the walk reads one shape per value instead of the schema's own members.
 */
interface FitNode {
  /** Always true: a value found in `props` that is not a node is one Object.prototype gave (see fitsOnce). */
  readonly node: true;
  readonly schema: Schema;
  readonly test: number;
  /** x-kubernetes-preserve-unknown-fields: the inside is not looked at. */
  readonly opaque: boolean;
  /** Declared members (an object with Object.prototype, as schema.properties is looked up today); made on first walk. */
  props: Record<string, FitNode> | undefined;
  /** An object additionalProperties. */
  addl: FitNode | undefined;
  items: FitNode | undefined;
  expanded: boolean;
  /** The walk of an object's members (see membersWalk), made on first use. */
  members: MembersWalk | undefined;
}

/** Whether every member of a (non-array) object fits its schema. */
type MembersWalk = (v: Record<string, unknown>, depth: number) => boolean;

const T_ANY = 0, T_STRING = 1, T_INTEGER = 2, T_NUMBER = 3, T_BOOLEAN = 4, T_OBJECT = 5, T_ARRAY = 6, T_INT_OR_STRING = 7, T_QUANTITY = 8;

const fitNodes = new WeakMap<Schema, FitNode>();

function fitNodeOf(schema: Schema): FitNode {
  let n = fitNodes.get(schema);
  if (!n) {
    n = { node: true, schema, test: testOf(schema), opaque: !!schema['x-kubernetes-preserve-unknown-fields'], props: undefined, addl: undefined, items: undefined, expanded: false, members: undefined };
    fitNodes.set(schema, n);
  }
  return n;
}

/** typeOk's decision for a schema, as a number. */
function testOf(schema: Schema): number {
  if (schema['x-kubernetes-int-or-string']) return schema.format === 'quantity' ? T_QUANTITY : T_INT_OR_STRING;
  switch (schema.type) {
    case 'string':
      return T_STRING;
    case 'integer':
      return T_INTEGER;
    case 'number':
      return T_NUMBER;
    case 'boolean':
      return T_BOOLEAN;
    case 'object':
      return T_OBJECT;
    case 'array':
      return T_ARRAY;
    default:
      return T_ANY;
  }
}

function expandFit(n: FitNode): void {
  const s = n.schema;
  if (s.properties) {
    const props: Record<string, FitNode> = {};
    for (const k of Object.keys(s.properties)) {
      // a member that is no schema object stays what it is (looked up as the schema's own was)
      const sub: unknown = s.properties[k];
      const value = sub !== null && typeof sub === 'object' ? fitNodeOf(sub as Schema) : sub;
      // defineProperty: a member named __proto__ is a member here too, as in the schema's own properties
      Object.defineProperty(props, k, { value, enumerable: true, writable: true, configurable: true });
    }
    n.props = props;
  }
  if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) n.addl = fitNodeOf(s.additionalProperties);
  if (s.items) n.items = typeof s.items === 'object' ? fitNodeOf(s.items) : undefined;
  n.expanded = true;
}

function typeFits(test: number, v: unknown): boolean {
  switch (test) {
    case T_STRING:
      return typeof v === 'string';
    case T_INTEGER:
      return typeof v === 'number' && Number.isInteger(v);
    case T_NUMBER:
      return typeof v === 'number';
    case T_BOOLEAN:
      return typeof v === 'boolean';
    case T_OBJECT:
      return typeof v === 'object' && !Array.isArray(v);
    case T_ARRAY:
      return Array.isArray(v);
    case T_INT_OR_STRING:
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    case T_QUANTITY:
      return typeof v === 'string' || typeof v === 'number';
    default:
      return true;
  }
}

/**
 * Members (top level, and their own members) of stored objects (deep-frozen: they never change)
 * already found to fit a schema. A status write carries the stored spec and metadata into the new
 * object as they are, so the several checks of one write (defaults, strategy, validation, old and
 * new) walk them once.
 */
const fitFrozen = new WeakMap<object, Schema>();

/**
 * The last top-level members of requests' own objects (not frozen: the status a status write
 * sends) found to fit a schema, until forgetWellTyped(): the checks of one write walk them once.
 * Between checks only the server's own code changes them (defaults, strategies: in the declared
 * types), except mutating admission (webhooks, policies), after which the write forgets them.
 * Their own members are not kept: a write's later checks meet them again only under the same
 * top-level member (a strategy's new member copies a stored one: frozen). An IdentityRing rather
 * than a WeakMap: a WeakMap entry for each member of each body (garbage after its request) cost
 * more than the walks it saved; a member pushed out of the ring by other requests' is walked again.
 */
const fitFresh = new IdentityRing<object, Schema>(32);

function fits(n: FitNode, v: unknown, depth: number): boolean {
  if (v === null || v === undefined) return true;
  if ((depth !== 1 && depth !== 2) || typeof v !== 'object') return fitsOnce(n, v, depth);
  const frozen = Object.isFrozen(v);
  if (!frozen && depth === 2) return fitsOnce(n, v, depth); // see fitFresh
  const known = frozen ? fitFrozen : fitFresh;
  if (known.get(v as object) === n.schema) return true;
  // a request's own member found to fit, then frozen as it was stored (handOver, its metadata's
  // members): the next write's checks of the stored object (validateUpdate's old) need not walk it again
  if (frozen && fitFresh.get(v as object) === n.schema) {
    fitFrozen.set(v as object, n.schema);
    return true;
  }
  const ok = fitsOnce(n, v, depth);
  if (ok) known.set(v as object, n.schema);
  return ok;
}

/** Forgets what wellTyped found of the object's own members (they may have changed other than by the server's code: mutating admission). */
export function forgetWellTyped(obj: object): void {
  for (const k in obj) {
    const v = (obj as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null) fitFresh.delete(v);
  }
}

function fitsOnce(n: FitNode, v: unknown, depth: number): boolean {
  if (!typeFits(n.test, v)) return false;
  if (n.opaque || typeof v !== 'object') return true;
  if (!n.expanded) expandFit(n);
  if (Array.isArray(v)) {
    const items = n.items;
    if (items) for (let i = 0; i < v.length; i++) if (!fits(items, v[i], depth + 1)) return false;
    return true;
  }
  return (n.members ??= membersWalk(n))(v as Record<string, unknown>, depth);
}

/**
 * The walk of an object's members for a node (expanded). What it decides: every member of the
 * object (for...in) whose key the declared properties answer with a node, or else an object
 * additionalProperties, fits that node. For a node with declared properties and no
 * additionalProperties (a struct), a function made for the node reads each declared member by
 * name (members it does not declare are not looked at either way): a scalar member's type is
 * tested in place, any other goes through fits. Named reads see a few shapes each where the
 * generic loop's keyed reads of members and of the properties saw every shape of the API: about
 * 3x cheaper on a write's objects. A declared name that Object.prototype also answers
 * (constructor, __proto__, ...) is read only when the object has it as its own. Other nodes (maps,
 * both kinds of members) take the generic loop.
 */
function membersWalk(n: FitNode): MembersWalk {
  const props = n.props;
  const addl = n.addl;
  if (props && !addl) return structWalk(props);
  return (rec, depth) => {
    for (const k in rec) {
      const sub = (props && props[k]) ?? addl;
      // a key Object.prototype answers for (constructor, toString, __proto__...) fits, as the
      // schema's own properties object answered it before the nodes: with no schema of its own
      if (sub === undefined || sub.node !== true) continue;
      if (!fits(sub, rec[k], depth + 1)) return false;
    }
    return true;
  };
}

/** A scalar test written in place for a member x (undefined and null fit), or undefined when the member needs fits. */
const SCALAR_TESTS: Record<number, string> = {
  [T_STRING]: `typeof x !== 'string'`,
  [T_INTEGER]: `typeof x !== 'number' || !Number.isInteger(x)`,
  [T_NUMBER]: `typeof x !== 'number'`,
  [T_BOOLEAN]: `typeof x !== 'boolean'`,
  [T_INT_OR_STRING]: `typeof x !== 'string' && (typeof x !== 'number' || !Number.isInteger(x))`,
  [T_QUANTITY]: `typeof x !== 'string' && typeof x !== 'number'`,
};

function structWalk(props: Record<string, FitNode>): MembersWalk {
  const nodes: FitNode[] = [];
  let body = 'let x;\n';
  for (const k of Object.keys(props)) {
    const sub: unknown = props[k];
    if (typeof sub !== 'object' || sub === null || (sub as FitNode).node !== true) continue;
    const node = sub as FitNode;
    const key = JSON.stringify(k);
    body += k in Object.prototype ? `x = hasOwn(v, ${key}) ? v[${key}] : undefined;\n` : `x = v[${key}];\n`;
    const scalar = node.opaque ? undefined : SCALAR_TESTS[node.test];
    if (scalar) body += `if (x != null && (${scalar})) return false;\n`;
    else {
      nodes.push(node);
      body += `if (x != null && !fits(nodes[${nodes.length - 1}], x, depth + 1)) return false;\n`;
    }
  }
  body += 'return true;';
  return new Function('fits', 'nodes', 'hasOwn', `return function structMembers(v, depth) {\n${body}\n};`)(fits, nodes, Object.hasOwn) as MembersWalk;
}

function goType(m: TypeMismatch): string {
  switch (m.expected) {
    case 'integer':
      return 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'object':
      return 'map[string]interface {}';
    case 'array':
      return '[]interface {}';
    case 'int-or-string':
      return 'intstr.IntOrString';
    default:
      return m.expected;
  }
}

/**
 * The 400 a type mismatch gets from the API server's decoder:
 * `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field Deployment.spec.replicas of type int32`.
 */
export function decodeTypeError(kind: string, version: string, m: TypeMismatch): StatusError {
  return new StatusError(
    400,
    'BadRequest',
    `${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal ${m.actual} into Go struct field ${kind}.${m.path} of type ${goType(m)}`,
  );
}

// ---- times (what Go's decoder does with metav1.Time / MicroTime) ----

/**
 * Rewrites every Time and MicroTime string in value to its canonical spelling (in place). Returns
 * the first malformed one's decoder error (`parsing time "x" as ...`), leaving the rest unchecked.
 */
export function canonicalizeTimes(schema: Schema, value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return walkTimes(timeNodeOf(schema), value);
}

/**
 * What canonicalizeTimes needs of a schema, worked out once: whether it is a Time/MicroTime,
 * whether a time can be below it, and (made on first use) its members bearing times with their
 * own nodes, so the walk looks nothing up per value.
 */
interface TimeNode {
  schema: Schema;
  time: boolean;
  micro: boolean;
  /** A time may be found below (holdsTimes). */
  bearing: boolean;
  /** Declared members bearing times, as keys and nodes; undefined until first walked. */
  keys?: string[];
  nodes?: TimeNode[];
  /** An object additionalProperties bears times: every key of a value is looked at (the schema's own walk). */
  everyKey?: boolean;
  items?: TimeNode;
}

const timeNodes = new WeakMap<Schema, TimeNode>();

function timeNodeOf(schema: Schema): TimeNode {
  let n = timeNodes.get(schema);
  if (!n) {
    n = { schema, time: schema.format === 'date-time', micro: MICRO_TIMES.has(schema), bearing: holdsTimes(schema) };
    timeNodes.set(schema, n);
  }
  return n;
}

/** The members of a node, made on first walk (a recursive schema's nodes are made as far as values go). */
function expand(n: TimeNode): void {
  const schema = n.schema;
  const keys: string[] = [];
  const nodes: TimeNode[] = [];
  if (typeof schema.additionalProperties === 'object' && holdsTimes(schema.additionalProperties)) n.everyKey = true;
  else if (schema.properties) {
    for (const k in schema.properties) {
      const sub = schema.properties[k];
      if (sub && holdsTimes(sub)) keys.push(k), nodes.push(timeNodeOf(sub));
    }
  }
  if (schema.items) n.items = timeNodeOf(schema.items);
  n.nodes = nodes;
  n.keys = keys;
}

function walkTimes(n: TimeNode, value: object): string | undefined {
  if (n.schema['x-kubernetes-preserve-unknown-fields']) return undefined;
  if (n.keys === undefined) expand(n);
  if (Array.isArray(value)) {
    const items = n.items;
    if (!items) return undefined;
    for (let i = 0; i < value.length; i++) {
      const e = visitTime(items, value, i);
      if (e) return e;
    }
    return undefined;
  }
  if (n.everyKey) return firstTimeError(n.schema, value as Record<string, unknown>);
  // Only the declared members with a Time/MicroTime below them: the rest cannot hold one.
  const keys = n.keys!;
  const nodes = n.nodes!;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (!Object.hasOwn(value, k)) continue;
    // the first malformed time in the value's own key order, as the whole walk reports it
    if (visitTime(nodes[i], value, k)) return firstTimeError(n.schema, value as Record<string, unknown>);
  }
  return undefined;
}

/** One member of a container (object key or array index) under its node: canonicalized in place, or its error. */
function visitTime(n: TimeNode, container: any, key: string | number): string | undefined {
  const v = container[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    if (!n.time) return undefined;
    const c = canonicalTime(v, n.micro);
    if (typeof c !== 'string') return c.error;
    container[key] = c;
    return undefined;
  }
  return typeof v === 'object' && n.bearing ? walkTimes(n, v) : undefined;
}

/** Every member of an object in key order (its schema's properties, else an object additionalProperties): the first malformed time. */
function firstTimeError(schema: Schema, value: Record<string, unknown>): string | undefined {
  const props = schema.properties;
  const addl = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const k in value) {
    const sub = props?.[k] ?? addl;
    if (!sub) continue;
    const e = visitTime(timeNodeOf(sub), value, k);
    if (e) return e;
  }
  return undefined;
}

/** Schemas by whether a Time/MicroTime field is anywhere below them (a subtree without one has nothing to canonicalize). */
const timeBearing = new WeakMap<Schema, boolean>();

/**
 * Whether canonicalizeTimes can find a date-time string under this schema: the walk follows only
 * properties, items and an object additionalProperties, and stops at preserve-unknown-fields. A
 * recursive schema (a CRD's own JSONSchemaProps-like shape) counts as bearing times while it is
 * being looked at, so the answer errs on walking.
 */
function holdsTimes(schema: Schema): boolean {
  const known = timeBearing.get(schema);
  if (known !== undefined) return known;
  if (schema.format === 'date-time') return true;
  if (schema['x-kubernetes-preserve-unknown-fields']) return false;
  timeBearing.set(schema, true);
  let found = false;
  if (schema.items && holdsTimes(schema.items)) found = true;
  else if (typeof schema.additionalProperties === 'object' && holdsTimes(schema.additionalProperties)) found = true;
  else if (schema.properties) for (const k in schema.properties) if (holdsTimes(schema.properties[k])) { found = true; break; }
  timeBearing.set(schema, found);
  return found;
}

/** The 400 of a malformed time: `ConfigMap in version "v1" cannot be handled as a ConfigMap: parsing time ...`. */
export function decodeError(kind: string, version: string, message: string): StatusError {
  return new StatusError(400, 'BadRequest', `${kind} in version "${version}" cannot be handled as a ${kind}: ${message}`);
}
