// The JSONPath subset additionalPrinterColumns use (k8s.io/client-go/util/jsonpath, missing keys
// allowed): `.a.b`, `.a[0]`, `.a[*].b`, `['key.with.dots']`, `[?(@.type == 'Ready')]`, `..` not
// supported. find() returns every match in document order.
import { isObject } from '../openapi-schema/types.ts';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; i: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!=' | 'exists'; value?: unknown };

const cache = new Map<string, Step[] | null>();

function literal(s: string): unknown {
  const t = s.trim();
  if (/^'.*'$/.test(t) || /^".*"$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** Parses a path (with or without the `{}` template braces); null when it is not in the subset. */
export function parseJsonPath(src: string): Step[] | null {
  let p = src.trim();
  if (cache.has(p)) return cache.get(p)!;
  const key = p;
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === '.') {
      const m = /^\.([^.[\]]+)/.exec(p.slice(i));
      if (!m) break;
      steps.push({ kind: 'field', name: m[1] });
      i += m[0].length;
    } else if (p[i] === '[') {
      const end = p.indexOf(']', p.startsWith('[?(', i) ? p.indexOf(')', i) : i);
      if (end < 0) {
        cache.set(key, null);
        return null;
      }
      const inner = p.slice(i + 1, end);
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', i: Number(inner) });
      else if (/^'.*'$/.test(inner) || /^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const body = inner.slice(2, -1).trim();
        const m = /^@((?:\.[^.\s=!]+)+)\s*(==|!=)\s*(.+)$/.exec(body);
        const e = /^@((?:\.[^.\s=!]+)+)$/.exec(body);
        if (m) steps.push({ kind: 'filter', path: m[1].slice(1).split('.'), op: m[2] as '==' | '!=', value: literal(m[3]) });
        else if (e) steps.push({ kind: 'filter', path: e[1].slice(1).split('.'), op: 'exists' });
        else {
          cache.set(key, null);
          return null;
        }
      } else {
        cache.set(key, null);
        return null;
      }
      i = end + 1;
    } else {
      cache.set(key, null);
      return null;
    }
  }
  cache.set(key, steps);
  return steps;
}

function dig(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const k of path) cur = isObject(cur) ? cur[k] : undefined;
  return cur;
}

/** Every value the path selects in obj (none when a key is missing). */
export function findJsonPath(obj: unknown, src: string): unknown[] {
  const steps = parseJsonPath(src);
  if (!steps) return [];
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (s.kind) {
        case 'field':
          if (isObject(v) && v[s.name] !== undefined) next.push(v[s.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const x = v[s.i < 0 ? v.length + s.i : s.i];
            if (x !== undefined) next.push(x);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) next.push(...Object.values(v));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const x of v) {
              const got = dig(x, s.path);
              if (s.op === 'exists' ? got !== undefined : s.op === '==' ? got === s.value : got !== undefined && got !== s.value) next.push(x);
            }
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}
