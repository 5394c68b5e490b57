// labelSelector / fieldSelector query parameters → one predicate over objects.
// TODO(model): switch to the selector helpers of src/api once they land; the grammar here follows
// apimachinery's labels.Parse and fields.ParseSelector.
import { StatusError, badRequest } from '../api/errors.ts';
import type { ResourceType } from '../api/resource.ts';
import type { KubeObject } from '../api/types.ts';

export type Predicate = (obj: KubeObject) => boolean;

type LabelReq =
  | { op: 'exists' | '!'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: '=' | '!='; key: string; value: string }
  | { op: '>' | '<'; key: string; value: number };

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseLabelTerm(t: string): LabelReq {
  let m = /^([A-Za-z0-9._\-/]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
  if (m) return { op: m[2] as 'in' | 'notin', key: m[1], values: m[3].split(',').map((v) => v.trim()) };
  m = /^!\s*([A-Za-z0-9._\-/]+)$/.exec(t);
  if (m) return { op: '!', key: m[1] };
  m = /^([A-Za-z0-9._\-/]+)\s*(==|=|!=|>|<)\s*([A-Za-z0-9._-]*)$/.exec(t);
  if (m) {
    if (m[2] === '>' || m[2] === '<') {
      const n = Number(m[3]);
      if (m[3] === '' || !Number.isInteger(n)) throw badRequest(`unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer`);
      return { op: m[2], key: m[1], value: n };
    }
    return { op: m[2] === '!=' ? '!=' : '=', key: m[1], value: m[3] };
  }
  m = /^([A-Za-z0-9._\-/]+)$/.exec(t);
  if (m) return { op: 'exists', key: m[1] };
  throw badRequest(`unable to parse requirement: found '${t}', expected: identifier or operator`);
}

function matchLabel(r: LabelReq, labels: Record<string, string> | undefined): boolean {
  const has = !!labels && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : undefined;
  switch (r.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
      return has && v === r.value;
    case '!=':
      return !has || v !== r.value;
    case 'in':
      return has && r.values.includes(v!);
    case 'notin':
      return !has || !r.values.includes(v!);
    case '>':
      return has && Number(v) > r.value;
    case '<':
      return has && Number(v) < r.value;
  }
}

export function parseLabelSelector(s: string): Predicate | undefined {
  const reqs = splitTerms(s).map(parseLabelTerm);
  if (reqs.length === 0) return undefined;
  return (o) => {
    const labels = o.metadata.labels;
    for (const r of reqs) if (!matchLabel(r, labels)) return false;
    return true;
  };
}

const genericFields: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name ?? '',
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

export function parseFieldSelector(rt: ResourceType, s: string): Predicate | undefined {
  const reqs = splitTerms(s).map((t) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${t}'`);
    const field = m[1].trim();
    const get = genericFields[field] ?? rt.fieldSelectors[field];
    if (!get) throw new StatusError(400, 'BadRequest', `field label not supported: ${field}`);
    return { get, neg: m[2] === '!=', value: m[3].trim() };
  });
  if (reqs.length === 0) return undefined;
  return (o) => {
    for (const r of reqs) if (((r.get(o) ?? '') === r.value) === r.neg) return false;
    return true;
  };
}

/** The predicate of a request's selectors; undefined = everything matches. */
export function selectorFilter(rt: ResourceType, q: URLSearchParams | undefined, name?: string): Predicate | undefined {
  const preds: Predicate[] = [];
  const ls = q?.get('labelSelector');
  const fs = q?.get('fieldSelector');
  if (ls) {
    const p = parseLabelSelector(ls);
    if (p) preds.push(p);
  }
  if (fs) {
    const p = parseFieldSelector(rt, fs);
    if (p) preds.push(p);
  }
  if (name !== undefined) preds.push((o) => o.metadata.name === name);
  if (preds.length === 0) return undefined;
  if (preds.length === 1) return preds[0];
  return (o) => preds.every((p) => p(o));
}

/** metav1.FormatLabelSelector: a LabelSelector object as the string kubectl and Scale show. */
export function formatLabelSelector(sel: any): string {
  if (!sel || typeof sel !== 'object') return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${[...(e.values ?? [])].sort().join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${[...(e.values ?? [])].sort().join(',')})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
    }
  }
  return parts.join(',');
}
