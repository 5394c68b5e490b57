// An object timeline's readings: what changed between two versions of an object, and who changed it
// (the managedFields entry the write touched). Pure functions over plain objects.

const IGNORED = new Set(['metadata.resourceVersion', 'metadata.managedFields']);

/**
 * Elements of a list of objects named by their `type` (conditions) or `name` (containers, ports),
 * as Kubernetes' list-map keys do, when every element has a distinct one: a reordered list is
 * then no change.
 */
function listKeys(list) {
  for (const k of ['type', 'name']) {
    const keys = list.map((x) => (x && typeof x === 'object' && typeof x[k] === 'string' ? `${k}=${x[k]}` : undefined));
    if (keys.every((x) => x !== undefined) && new Set(keys).size === keys.length) return keys;
  }
  return undefined;
}

/** Leaves of an object as path → JSON text (spec.containers[name=web].image, spec.args[0]). */
export function flatten(v, path = '', out = new Map()) {
  if (IGNORED.has(path)) return out;
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(path, '[]');
    const keys = listKeys(v);
    v.forEach((x, i) => flatten(x, `${path}[${keys ? keys[i] : i}]`, out));
  } else if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0 && path) out.set(path, '{}');
    for (const k of keys) flatten(v[k], path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, JSON.stringify(v));
  }
  return out;
}

/** [{op: '+'|'-'|'~', path, from?, to?}] from prev to next (prev undefined: everything added). */
export function diffObjects(prev, next) {
  const a = prev ? flatten(prev) : new Map();
  const b = next ? flatten(next) : new Map();
  const out = [];
  for (const [p, v] of b) {
    if (!a.has(p)) out.push({ op: '+', path: p, to: v });
    else if (a.get(p) !== v) out.push({ op: '~', path: p, from: a.get(p), to: v });
  }
  for (const [p, v] of a) if (!b.has(p)) out.push({ op: '-', path: p, from: v });
  return out;
}

const entryKey = (e) => `${e.manager}|${e.operation}|${e.subresource ?? ''}`;

/**
 * The managers whose managedFields entry this write added or changed ("kubectl-scale (scale)"),
 * or [] when none did (a writer that sent no fieldManager).
 */
export function changedBy(prev, next) {
  const before = new Map((prev?.metadata?.managedFields ?? []).map((e) => [entryKey(e), JSON.stringify(e)]));
  const who = [];
  for (const e of next?.metadata?.managedFields ?? []) {
    if (before.get(entryKey(e)) !== JSON.stringify(e)) who.push(`${e.manager}${e.subresource ? ` (${e.subresource})` : ''}`);
  }
  return who;
}
