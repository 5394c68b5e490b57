// Small pure readings of objects the views share: a pod's display state and color, a node's.

export function podReady(p) {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** running-ready | running | pending | succeeded | failed | terminating | unknown */
export function podState(p) {
  if (p.metadata.deletionTimestamp) return 'terminating';
  const phase = p.status?.phase ?? 'Pending';
  if (phase === 'Running') return podReady(p) ? 'ready' : 'running';
  return phase.toLowerCase();
}

export const POD_COLORS = {
  ready: '#2e9e4f',
  running: '#d9a400',
  pending: '#8a94a6',
  succeeded: '#3b6fd8',
  failed: '#d43d3d',
  terminating: '#9b59b6',
  unknown: '#444',
};

export function nodeReady(n) {
  const c = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return c?.status === 'True';
}

/** ready | notready | cordoned (cordoned wins: it is what a user did) */
export function nodeState(n) {
  if (n.spec?.unschedulable) return 'cordoned';
  return nodeReady(n) ? 'ready' : 'notready';
}

export const NODE_COLORS = { ready: '#2e9e4f', notready: '#d43d3d', cordoned: '#8a94a6' };

/** CPU in millicores from a quantity ("500m", "2", "1.5"). */
export function milliCpu(q) {
  if (q === undefined || q === null) return 0;
  const s = String(q);
  if (s.endsWith('m')) return parseFloat(s);
  return parseFloat(s) * 1000 || 0;
}

export function podCpuRequest(p) {
  let m = 0;
  for (const c of p.spec?.containers ?? []) m += milliCpu(c.resources?.requests?.cpu);
  return m;
}

export function age(ts, now = Date.now()) {
  if (!ts) return '';
  const s = Math.max(0, Math.round((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
