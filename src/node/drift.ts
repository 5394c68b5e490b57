// Pod status drift: the kubelet compares the status it wants against the pod's status as stored in
// the API and writes when they differ, so a Ready=False set by the node lifecycle controller while
// the node was unreachable gets corrected. Only what the agent owns counts — timestamps it would
// not change and conditions other components own (PodScheduled, DisruptionTarget, readiness gates)
// never trigger a write, so the agent doesn't fight over them.

/** Pod conditions the kubelet owns (PodScheduled is the scheduler's; DisruptionTarget whoever set it). */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

/** The agent-owned part of a pod status, without timestamps, as a comparable string. */
export function ownedStatusKey(status: any): string {
  const st = status ?? {};
  const conditions = (st.conditions ?? [])
    .filter((c: any) => KUBELET_CONDITIONS.has(c.type))
    .map((c: any) => [c.type, c.status, c.reason ?? '', c.message ?? ''])
    .sort((a: string[], b: string[]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const containers = (list: any[] | undefined) =>
    (list ?? []).map((s) => [s.name, !!s.ready, !!s.started, s.restartCount ?? 0, Object.keys(s.state ?? {})[0] ?? '', s.containerID ?? '']);
  return JSON.stringify([st.phase ?? '', st.reason ?? '', conditions, containers(st.initContainerStatuses), containers(st.containerStatuses), st.podIP ?? '']);
}

/** Whether the stored status says something else than the agent's in the fields the agent owns. */
export function statusDrifted(desired: any, stored: any): boolean {
  return ownedStatusKey(desired) !== ownedStatusKey(stored);
}

/** The agent's status plus the stored conditions of types it does not write (the kubelet's mergePodStatus). */
export function withForeignConditions(desired: any, stored: any): any {
  const mine = new Set((desired.conditions ?? []).map((c: any) => c.type));
  const foreign = (stored?.conditions ?? []).filter((c: any) => !mine.has(c.type));
  return foreign.length ? { ...desired, conditions: [...(desired.conditions ?? []), ...foreign] } : desired;
}
