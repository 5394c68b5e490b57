// Why a pod went where it went, from what the scheduler writes through the API: the Scheduled and
// FailedScheduling Events, the PodScheduled condition, and — for a pod annotated
// kubesim.io/explain-scheduling=true — the decision in kubesim.io/scheduling-result (filter result
// and weighted scores per node). Pure readings.

export const EXPLAIN_ANNOTATION = 'kubesim.io/explain-scheduling';
export const RESULT_ANNOTATION = 'kubesim.io/scheduling-result';

/**
 * kube-scheduler's FitError text, "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had
 * untolerated taint {a: b}. preemption: ...", as { total, reasons: [{count, reason}], rest }.
 */
export function parseFitError(message) {
  const m = /^0\/(\d+) nodes are available:\s*(.*)$/s.exec(message ?? '');
  if (!m) return undefined;
  const body = m[2];
  // the counted reasons end at the first ". " (or the final ".") outside braces
  let depth = 0;
  let end = body.length;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '.' && depth === 0 && (i === body.length - 1 || body[i + 1] === ' ')) {
      end = i;
      break;
    }
  }
  const reasons = [];
  for (const part of body.slice(0, end).split(/, (?=\d+ )/)) {
    const r = /^(\d+) (.*)$/s.exec(part.trim());
    if (r) reasons.push({ count: Number(r[1]), reason: r[2] });
    else if (part.trim()) reasons.push({ count: undefined, reason: part.trim() });
  }
  return { total: Number(m[1]), reasons, rest: body.slice(end + 1).trim() };
}

/** The scheduler's decision from the result annotation, or undefined (absent or not JSON). */
export function decisionOf(pod) {
  const raw = pod?.metadata?.annotations?.[RESULT_ANNOTATION];
  if (!raw) return undefined;
  try {
    const d = JSON.parse(raw);
    return d && typeof d === 'object' ? d : undefined;
  } catch {
    return undefined;
  }
}

/** A decision's nodes as rows: the chosen one, then feasible nodes by final score, then the rejected ones. */
export function decisionRows(d) {
  const nodes = new Set([...Object.keys(d.filter ?? {}), ...Object.keys(d.finalScore ?? {})]);
  const rows = [...nodes].map((node) => ({
    node,
    filter: d.filter?.[node] ?? 'passed',
    scores: d.score?.[node] ?? {},
    total: d.finalScore?.[node],
    selected: d.selected === node,
  }));
  const rank = (r) => (r.selected ? 0 : r.total !== undefined ? 1 : 2);
  return rows.sort((a, b) => rank(a) - rank(b) || (b.total ?? 0) - (a.total ?? 0) || a.node.localeCompare(b.node, undefined, { numeric: true }));
}

/**
 * A pod's scheduling as the page shows it: state (scheduled | unschedulable | pending), the node,
 * the last scheduler message and its counted reasons, the attempts that failed, and the decision
 * when the pod asked for one. events: the Events about this pod (any order).
 */
export function schedulingOf(pod, events) {
  const mine = events.filter((e) => e.reason === 'Scheduled' || e.reason === 'FailedScheduling');
  const at = (e) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  mine.sort((a, b) => at(a).localeCompare(at(b)) || Number(a.metadata?.resourceVersion ?? 0) - Number(b.metadata?.resourceVersion ?? 0));
  const last = mine[mine.length - 1];
  const failures = mine.filter((e) => e.reason === 'FailedScheduling').reduce((n, e) => n + (e.count ?? 1), 0);
  const cond = (pod?.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  const node = pod?.spec?.nodeName;
  const state = node ? 'scheduled' : cond?.status === 'False' ? 'unschedulable' : 'pending';
  const message = node ? (last?.reason === 'Scheduled' ? last.message : `bound to ${node}`) : (cond?.status === 'False' ? cond.message : undefined) ?? last?.message;
  const fit = node ? undefined : parseFitError(message);
  return {
    state,
    node,
    message,
    reasons: fit?.reasons ?? [],
    rest: fit?.rest ?? '',
    failures,
    explained: pod?.metadata?.annotations?.[EXPLAIN_ANNOTATION] === 'true',
    decision: decisionOf(pod),
  };
}
