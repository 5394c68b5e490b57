// CEL cost, simplified from Kubernetes' cost model (k8s.io/apiserver/pkg/cel and the CRD cost
// checks in apiextensions' validation):
//   - every AST node costs 1; a comprehension (all, exists, exists_one, map, filter) costs its range
//     plus size(range) × (its body + 1); string functions and string equality cost 0.1 per
//     character of the receiver; list functions cost one per element.
//   - sizes come from the schema when estimating (maxItems, maxProperties, maxLength), and from the
//     value when evaluating. An unbounded list, map or string is as large as fits in a request
//     (3 MiB, divided by the smallest serialized element: `""`, `{}` or a digit, plus a comma).
//   - the estimate of a rule is multiplied by the cardinality of its schema node (how many times it
//     can run: the product of the maxItems/maxProperties of the lists and maps around it, or what
//     fits in a request when one of them is unbounded).
// Limits as Kubernetes': a rule's estimate ≤ 10,000,000 (StaticEstimatedCostLimit) and all rules of a
// schema ≤ 100,000,000 (StaticEstimatedCRDCostLimit) when the CRD is written; at run time one rule ≤
// 1,000,000 (PerCallLimit) and all rules on one object ≤ 10,000,000 (RuntimeCELCostBudget).
import { additionalOf, isObject, itemsOf, type JSONSchemaProps } from '../openapi-schema/types.ts';

export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;
export const PER_CALL_LIMIT = 1_000_000;
export const RUNTIME_COST_BUDGET = 10_000_000;
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

type Ast = { op: string; args: any };

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const STRING_FUNCS = new Set(['matches', 'contains', 'startsWith', 'endsWith', 'find', 'findAll', 'split', 'replace', 'lowerAscii', 'upperAscii', 'indexOf', 'lastIndexOf', 'trim', 'substring', 'charAt', 'reverse', 'join', 'format']);
const LIST_FUNCS = new Set(['isSorted', 'sum', 'min', 'max', 'sort', 'distinct', 'flatten', 'slice']);

/** The smallest JSON text a value of this schema can take, plus a separator. */
export function minSerializedSize(s: JSONSchemaProps | undefined): number {
  switch (s?.type) {
    case 'string':
      return 3 + (s.minLength ?? 0);
    case 'object':
    case 'array':
      return 3;
    case 'boolean':
      return 5;
    default:
      return 2;
  }
}

/** What a node of the cost walk knows about the value an expression yields. */
interface Shape {
  schema?: JSONSchemaProps;
  /** Runtime: the values the expression yields (a comprehension variable: every element). */
  values?: unknown[];
}

function sizeOf(shape: Shape, runtime: boolean): number {
  if (runtime) {
    let max = 0;
    for (const v of shape.values ?? []) {
      const n = typeof v === 'string' ? v.length : Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : 0;
      if (n > max) max = n;
    }
    return max;
  }
  const s = shape.schema;
  if (!s) return MAX_REQUEST_BYTES / 2;
  if (s.type === 'string') return s.maxLength ?? MAX_REQUEST_BYTES;
  if (s.type === 'array') return s.maxItems ?? Math.floor(MAX_REQUEST_BYTES / minSerializedSize(itemsOf(s)));
  if (s.type === 'object') {
    // an object with declared fields (a struct) has as many entries as it declares
    if (!additionalOf(s) && s.properties && !s['x-kubernetes-preserve-unknown-fields']) return s.maxProperties ?? Object.keys(s.properties).length;
    return s.maxProperties ?? Math.floor(MAX_REQUEST_BYTES / minSerializedSize(additionalOf(s)));
  }
  return 1;
}

function fieldShape(shape: Shape, name: string): Shape {
  const s = shape.schema;
  const sub = s ? (s.properties?.[name] ?? additionalOf(s)) : undefined;
  const values = shape.values?.map((v) => (isObject(v) ? v[name] : undefined)).filter((v) => v !== undefined);
  return { schema: sub, values };
}

function elementShape(shape: Shape): Shape {
  const s = shape.schema;
  const sub = s?.type === 'array' ? itemsOf(s) : s?.type === 'object' ? (additionalOf(s) ? { type: 'string' } : undefined) : undefined;
  const values: unknown[] = [];
  for (const v of shape.values ?? []) {
    if (Array.isArray(v)) values.push(...v);
    else if (isObject(v)) values.push(...Object.keys(v));
  }
  return { schema: sub, values };
}

/** The cost of an expression: its AST walked with what is known about `self` (and `oldSelf`). */
export function expressionCost(ast: Ast, vars: Record<string, Shape>, runtime: boolean): number {
  const walk = (n: Ast, env: Record<string, Shape>): { cost: number; shape: Shape } => {
    if (!n || typeof n !== 'object') return { cost: 0, shape: {} };
    switch (n.op) {
      case 'value':
        return { cost: 0, shape: {} };
      case 'id':
        return { cost: 1, shape: env[n.args] ?? {} };
      case '.':
      case '.?': {
        const r = walk(n.args[0], env);
        return { cost: r.cost + 1, shape: fieldShape(r.shape, n.args[1]) };
      }
      case '[]': {
        const r = walk(n.args[0], env);
        const i = walk(n.args[1], env);
        return { cost: r.cost + i.cost + 1, shape: elementShape(r.shape) };
      }
      case 'call': {
        const [name, args] = n.args as [string, Ast[]];
        if (name === 'has') {
          const inner = args[0]?.op === '.' ? walk(args[0].args[0], env).cost : 0;
          return { cost: inner + 1, shape: {} };
        }
        let cost = 1;
        for (const a of args) cost += walk(a, env).cost;
        return { cost, shape: {} };
      }
      case 'rcall': {
        const [name, recv, args] = n.args as [string, Ast, Ast[]];
        const r = walk(recv, env);
        if (MACROS.has(name) && args.length >= 2 && args[0]?.op === 'id') {
          const elem = elementShape(r.shape);
          const inner = { ...env, [args[0].args]: elem };
          let body = 0;
          for (const a of args.slice(1)) body += walk(a, inner).cost;
          return { cost: r.cost + sizeOf(r.shape, runtime) * (body + 1), shape: {} };
        }
        let cost = r.cost + 1;
        for (const a of args) cost += walk(a, env).cost;
        if (STRING_FUNCS.has(name)) cost += Math.ceil(sizeOf(r.shape, runtime) * 0.1);
        else if (LIST_FUNCS.has(name)) cost += sizeOf(r.shape, runtime);
        return { cost, shape: {} };
      }
      case '==':
      case '!=': {
        const a = walk(n.args[0], env);
        const b = walk(n.args[1], env);
        const t = a.shape.schema?.type;
        const extra = t === 'string' ? Math.ceil(sizeOf(a.shape, runtime) * 0.1) : t === 'array' || t === 'object' ? sizeOf(a.shape, runtime) : 0;
        return { cost: a.cost + b.cost + 1 + extra, shape: {} };
      }
      default: {
        const args = Array.isArray(n.args) ? n.args : [n.args];
        let cost = 1;
        for (const a of args.flat(2)) if (a && typeof a === 'object' && 'op' in a) cost += walk(a as Ast, env).cost;
        return { cost, shape: {} };
      }
    }
  };
  return walk(ast, vars).cost;
}

/** How many times a rule at this schema node can run in one object (see the header). */
export function cardinality(enclosing: (number | undefined)[], self: JSONSchemaProps): number {
  let n = 1;
  for (const c of enclosing) {
    if (c === undefined) return Math.floor(MAX_REQUEST_BYTES / (minSerializedSize(self) + 1));
    n *= c;
  }
  return n;
}

/** Kubernetes' wording of a cost over its limit. */
export function costErrorMessage(what: string, cost: number, limit: number): string {
  const f = cost / limit;
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${what} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
