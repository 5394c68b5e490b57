// The status line of each workload kind beside Deployments: what `kubectl get` prints for it, as
// labelled counts. Pure.

const cond = (o, type) => (o.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** [{ label, value, title }] for a StatefulSet, DaemonSet, Job or CronJob. */
export function workloadStatus(o, now = Date.now()) {
  const s = o.status ?? {};
  switch (o.kind) {
    case 'StatefulSet':
      return [
        { label: 'ready', value: `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, title: 'status.readyReplicas / spec.replicas' },
        { label: 'current', value: s.currentReplicas ?? 0, title: 'status.currentReplicas' },
        { label: 'updated', value: s.updatedReplicas ?? 0, title: 'status.updatedReplicas' },
      ];
    case 'DaemonSet':
      return [
        { label: 'desired', value: s.desiredNumberScheduled ?? 0, title: 'status.desiredNumberScheduled' },
        { label: 'current', value: s.currentNumberScheduled ?? 0, title: 'status.currentNumberScheduled' },
        { label: 'ready', value: s.numberReady ?? 0, title: 'status.numberReady' },
        { label: 'updated', value: s.updatedNumberScheduled ?? 0, title: 'status.updatedNumberScheduled' },
      ];
    case 'Job': {
      const state = cond(o, 'Complete') ? 'Complete' : cond(o, 'Failed') ? 'Failed' : o.spec?.suspend ? 'Suspended' : 'Running';
      return [
        { label: 'completions', value: `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`, title: 'status.succeeded / spec.completions' },
        { label: 'active', value: s.active ?? 0, title: 'status.active' },
        { label: 'failed', value: s.failed ?? 0, title: 'status.failed' },
        { label: 'status', value: state, title: 'status.conditions' },
      ];
    }
    case 'CronJob':
      return [
        { label: 'schedule', value: o.spec?.schedule ?? '', title: 'spec.schedule' },
        { label: 'suspend', value: o.spec?.suspend ? 'True' : 'False', title: 'spec.suspend' },
        { label: 'active', value: (s.active ?? []).length, title: 'status.active' },
        { label: 'last schedule', value: s.lastScheduleTime ? `${ago(s.lastScheduleTime, now)} ago` : '<none>', title: 'status.lastScheduleTime' },
      ];
    default:
      return [];
  }
}

/** A duration since an RFC 3339 time as kubectl prints ages: 45s, 3m, 2h, 4d. */
export function ago(t, now = Date.now()) {
  const s = Math.max(0, Math.floor((now - Date.parse(t)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
