// JSON patch (RFC 6902) with the semantics and error texts of gopkg.in/evanphx/json-patch.v4,
// the library the Kubernetes API server uses.
import { deepEqual, isObject } from './json.ts';
import { deepCopy } from '../../api/core/json.ts';

/** A failure while applying an operation (the API server answers 422 with this as the cause). */
export class JsonPatchApplyError extends Error {}

type Container = Record<string, unknown> | unknown[];

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

function decodeKey(k: string): string {
  return k.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The container holding the last token of path, and that token; undefined when a parent is missing. */
function findObject(doc: Container, path: string): [Container, string] | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: unknown = doc;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(cur as Container, decodeKey(part));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null || typeof next !== 'object') return undefined;
    cur = next;
  }
  return [cur as Container, decodeKey(split[split.length - 1])];
}

function atoi(key: string): number {
  if (!/^-?\d+$/.test(key)) throw new JsonPatchApplyError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  return Number(key);
}

function get(c: Container, key: string): unknown {
  if (!Array.isArray(c)) return Object.prototype.hasOwnProperty.call(c, key) ? c[key] : undefined;
  const i = atoi(key);
  if (i < 0 || i >= c.length) throw new JsonPatchApplyError(`Unable to access invalid index: ${i}: ${INVALID_INDEX}`);
  return c[i];
}

function add(c: Container, key: string, val: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = val;
    return;
  }
  if (key === '-') {
    c.push(val);
    return;
  }
  let i: number;
  try {
    i = atoi(key);
  } catch (e) {
    throw new JsonPatchApplyError(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  if (i < 0 || i > c.length) throw new JsonPatchApplyError(`Unable to access invalid index: ${i}: ${INVALID_INDEX}`);
  c.splice(i, 0, val);
}

function remove(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!Object.prototype.hasOwnProperty.call(c, key)) throw new JsonPatchApplyError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c[key];
    return;
  }
  const i = atoi(key);
  if (i < 0 || i >= c.length) throw new JsonPatchApplyError(`Unable to access invalid index: ${i}: ${INVALID_INDEX}`);
  c.splice(i, 1);
}

function set(c: Container, key: string, val: unknown): void {
  if (Array.isArray(c)) c[atoi(key)] = val;
  else c[key] = val;
}

function str(op: Record<string, unknown>, field: 'path' | 'from'): string | undefined {
  const v = op[field];
  return typeof v === 'string' ? v : undefined;
}

/** Checks the decoded patch is a list of objects (Go decodes it into []map[string]*json.RawMessage). */
export function decodeJsonPatch(patch: unknown): Record<string, unknown>[] {
  if (!Array.isArray(patch)) {
    const t = isObject(patch) ? 'object' : patch === null ? 'null' : typeof patch;
    if (patch === null) return [];
    throw new Error(`json: cannot unmarshal ${t} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (!isObject(op) && op !== null) {
      throw new Error(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
    }
  }
  return patch.map((op) => (op ?? {}) as Record<string, unknown>);
}

/** Applies the operations to a copy of doc. Throws JsonPatchApplyError with the library's text. */
export function applyJsonPatch<T>(doc: T, ops: Record<string, unknown>[]): T {
  const root = deepCopy(doc) as unknown as Container;
  for (const op of ops) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add': {
        const path = str(op, 'path');
        if (path === undefined) throw new JsonPatchApplyError(`add operation failed to decode path: ${MISSING}`);
        const found = findObject(root, path);
        if (!found) throw new JsonPatchApplyError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        try {
          add(found[0], found[1], deepCopy(op.value ?? null));
        } catch (e) {
          throw new JsonPatchApplyError(`error in add for path: '${path}': ${(e as Error).message}`);
        }
        break;
      }
      case 'remove': {
        const path = str(op, 'path');
        if (path === undefined) throw new JsonPatchApplyError(`remove operation failed to decode path: ${MISSING}`);
        const found = findObject(root, path);
        if (!found) throw new JsonPatchApplyError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        try {
          remove(found[0], found[1]);
        } catch (e) {
          throw new JsonPatchApplyError(`error in remove for path: '${path}': ${(e as Error).message}`);
        }
        break;
      }
      case 'replace': {
        const path = str(op, 'path');
        if (path === undefined) throw new JsonPatchApplyError(`replace operation failed to decode path: operation missing path field: ${MISSING}`);
        const found = findObject(root, path);
        if (!found) throw new JsonPatchApplyError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
        try {
          get(found[0], found[1]);
        } catch {
          throw new JsonPatchApplyError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
        }
        set(found[0], found[1], deepCopy(op.value ?? null));
        break;
      }
      case 'move':
      case 'copy': {
        const from = str(op, 'from');
        if (from === undefined) throw new JsonPatchApplyError(`${kind} operation failed to decode from: operation missing from field: ${MISSING}`);
        const src = findObject(root, from);
        if (!src) throw new JsonPatchApplyError(`${kind} operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
        let val: unknown;
        try {
          val = get(src[0], src[1]);
          if (kind === 'move') remove(src[0], src[1]);
        } catch (e) {
          throw new JsonPatchApplyError(`error in ${kind} for path: '${src[1]}': ${(e as Error).message}`);
        }
        const path = str(op, 'path');
        if (path === undefined) throw new JsonPatchApplyError(`${kind} operation failed to decode path: ${MISSING}`);
        const dst = findObject(root, path);
        if (!dst) throw new JsonPatchApplyError(`${kind} operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
        try {
          add(dst[0], dst[1], kind === 'copy' ? deepCopy(val) : val);
        } catch (e) {
          throw new JsonPatchApplyError(`error in ${kind} for path: '${path}': ${(e as Error).message}`);
        }
        break;
      }
      case 'test': {
        const path = str(op, 'path');
        if (path === undefined) throw new JsonPatchApplyError(`test operation failed to decode path: operation missing path field: ${MISSING}`);
        const found = findObject(root, path);
        if (!found) throw new JsonPatchApplyError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
        let val: unknown;
        try {
          val = get(found[0], found[1]);
        } catch (e) {
          throw new JsonPatchApplyError(`error in test for path: '${path}': ${(e as Error).message}`);
        }
        const want = 'value' in op ? op.value : undefined;
        const ok = val === undefined || val === null ? want === undefined || want === null : deepEqual(val, want);
        if (!ok) throw new JsonPatchApplyError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchApplyError(`Unexpected kind: ${kind}`);
    }
  }
  return root as unknown as T;
}
