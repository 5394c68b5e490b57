// Assertions of a scenario: `at` a virtual time, `expect` one comparison `LEFT OP RIGHT` (OP one of
// == != >= <= > <) between numbers and paths:
//   pods.pending | pods.running | pods.succeeded | pods.failed | pods.total
//   nodes.total | nodes.ready | nodes.notReady
//   <kind>/<name>.<field> or <kind>/<namespace>/<name>.<field>, e.g. deployment/web.readyReplicas,
//   hpa/web.currentReplicas, job/batch-3.succeeded, node/pool-0.spec.unschedulable
// A field without a leading metadata./spec./status. is read from status (Kubernetes omits zero
// counts, so a missing one is 0); booleans are 1 and 0. A failed assertion is listed in the report
// and the run exits non-zero.
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import { parseDuration, ScenarioError } from './scenario.ts';

export type Op = '==' | '!=' | '>=' | '<=' | '>' | '<';
export type Operand = { num: number } | { path: string };

export interface Assertion {
  at: number;
  expect: string;
  left: Operand;
  op: Op;
  right: Operand;
}

export interface AssertionResult {
  t: number;
  expect: string;
  ok: boolean;
  /** The values compared, or why they could not be read. */
  actual: string;
}

/** Short kind names → apiVersion/kind/plural. */
export const KINDS: Record<string, { group: string; version: string; plural: string; namespaced: boolean }> = {
  pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  node: { group: '', version: 'v1', plural: 'nodes', namespaced: false },
  service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  replicaset: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  statefulset: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  daemonset: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  job: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  cronjob: { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true },
  hpa: { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true },
  horizontalpodautoscaler: { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true },
};

const COUNTS = ['pods.pending', 'pods.running', 'pods.succeeded', 'pods.failed', 'pods.total', 'nodes.total', 'nodes.ready', 'nodes.notReady'];
const OBJECT_PATH = /^([a-z]+)\/(?:([a-z0-9][-a-z0-9]*)\/)?([a-z0-9][-a-z0-9.]*?)\.([A-Za-z][\w.]*)$/;

function operand(s: string, where: string): Operand {
  if (/^-?\d+(\.\d+)?$/.test(s)) return { num: Number(s) };
  if (s === 'true' || s === 'false') return { num: s === 'true' ? 1 : 0 };
  if (COUNTS.includes(s)) return { path: s };
  const m = OBJECT_PATH.exec(s);
  if (!m) throw new ScenarioError(`${where}: "${s}" is not a number, one of ${COUNTS.join(', ')}, or <kind>/[<namespace>/]<name>.<field>`);
  if (!KINDS[m[1]]) throw new ScenarioError(`${where}: unknown kind "${m[1]}" (one of ${Object.keys(KINDS).join(', ')})`);
  return { path: s };
}

export function parseExpect(expr: string, where: string): { left: Operand; op: Op; right: Operand } {
  const m = /^\s*(\S+)\s*(==|!=|>=|<=|>|<)\s*(\S+)\s*$/.exec(expr);
  if (!m) throw new ScenarioError(`${where}: "${expr}" is not LEFT OP RIGHT with OP one of == != >= <= > <`);
  return { left: operand(m[1], where), op: m[2] as Op, right: operand(m[3], where) };
}

export function parseAssertion(v: unknown, i: number): Assertion {
  const where = `assertions[${i}]`;
  if (typeof v !== 'object' || v === null || typeof (v as any).expect !== 'string') throw new ScenarioError(`${where}: {at, expect: "LEFT OP RIGHT"}`);
  const a = v as { at?: unknown; expect: string };
  return { at: parseDuration(a.at ?? '0s', `${where}.at`), expect: a.expect, ...parseExpect(a.expect, `${where}.expect`) };
}

export function compare(l: number, op: Op, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '<':
      return l < r;
  }
}

const terminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isReady = (n: KubeObject) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** A count over the current pods and nodes (pure). */
export function countOf(path: string, pods: KubeObject[], nodes: KubeObject[]): number {
  switch (path) {
    case 'pods.pending':
      return pods.filter((p) => !terminal(p) && !p.spec?.nodeName).length;
    case 'pods.running':
      return pods.filter((p) => p.status?.phase === 'Running').length;
    case 'pods.succeeded':
      return pods.filter((p) => p.status?.phase === 'Succeeded').length;
    case 'pods.failed':
      return pods.filter((p) => p.status?.phase === 'Failed').length;
    case 'pods.total':
      return pods.length;
    case 'nodes.total':
      return nodes.length;
    case 'nodes.ready':
      return nodes.filter(isReady).length;
    default:
      return nodes.filter((n) => !isReady(n)).length;
  }
}

/** A field of an object; status first for a bare name; missing → 0, booleans → 1/0. */
export function fieldOf(obj: KubeObject, field: string): number {
  const parts = field.split('.');
  const root = ['metadata', 'spec', 'status'].includes(parts[0]) ? (obj as any) : (obj.status ?? {});
  let v: any = root;
  for (const p of parts) v = v?.[p];
  if (v === undefined || v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${field} is ${JSON.stringify(v)}, not a number`);
  return n;
}

async function value(client: Client, o: Operand, lists: () => Promise<{ pods: KubeObject[]; nodes: KubeObject[] }>): Promise<number> {
  if ('num' in o) return o.num;
  if (COUNTS.includes(o.path)) {
    const { pods, nodes } = await lists();
    return countOf(o.path, pods, nodes);
  }
  const [, kind, ns, name, field] = OBJECT_PATH.exec(o.path)!;
  const rt = KINDS[kind];
  const obj = await client.resource(rt).get(name, rt.namespaced ? { namespace: ns ?? 'default' } : {});
  return fieldOf(obj, field);
}

/** Evaluates an assertion through the client. */
export async function evaluate(client: Client, a: Assertion): Promise<AssertionResult> {
  let cached: Promise<{ pods: KubeObject[]; nodes: KubeObject[] }> | undefined;
  const lists = () =>
    (cached ??= Promise.all([client.resource(KINDS.pod).list({}), client.resource(KINDS.node).list({})]).then(([p, n]) => ({ pods: p.items, nodes: n.items })));
  const t = Math.round(a.at / 1000);
  try {
    const [l, r] = [await value(client, a.left, lists), await value(client, a.right, lists)];
    return { t, expect: a.expect, ok: compare(l, a.op, r), actual: `${l} ${a.op} ${r}` };
  } catch (e) {
    return { t, expect: a.expect, ok: false, actual: (e as Error).message };
  }
}
