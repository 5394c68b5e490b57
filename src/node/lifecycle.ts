// The pod lifecycle simulator: pure state and pure steps, no I/O and no timers. A PodSim
// (podsim.ts) holds what a container runtime would know about one pod; this file builds one (new,
// rejected by admission, or adopted from a status a previous run of the pool wrote). step()
// (step.ts) advances it to `now` by the profile's stages; buildPodStatus() (podstatus.ts) renders
// the API's pod status; exitPlan() (exitplan.ts) says when a simulated container exits.
import type { KubeObject } from '../api/types.ts';
import { exitPlan } from './exitplan.ts';
import { timing, type ContainerSim, type ExitPlan, type PodSim } from './podsim.ts';
import { updateConditions } from './podstatus.ts';
import type { Profile } from './profile.ts';

export * from './podsim.ts';
export { commandExit, exitPlan, oomAfter } from './exitplan.ts';
export { buildPodStatus, imageID, podPhase, updateConditions } from './podstatus.ts';
export { DEADLINE_MESSAGE, factsOf, failPod, nextStage, probedReadiness, step } from './step.ts';

/** Decides a container instance's exit plan (the simulated runtime's is exitPlan). */
export type ExitPlanner = (sim: PodSim, c: ContainerSim, profile: Profile) => ExitPlan | undefined;

/** The identity and start of a pod's simulation, before any container is planned. */
function baseSim(pod: KubeObject, now: number, hostIP: string): PodSim {
  return {
    uid: pod.metadata.uid ?? '',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    pod,
    containers: [],
    startTime: now,
    hostIP,
    conditions: {},
  };
}

/** A fresh simulation for a pod just admitted on a node; `plan` decides each container's exit (the container runtime's). */
export function newPodSim(pod: KubeObject, now: number, hostIP: string, podIP: string | undefined, profile: Profile, plan: ExitPlanner = exitPlan): PodSim {
  const sim: PodSim = { ...baseSim(pod, now, hostIP), podIP };
  for (const c of pod.spec?.initContainers ?? []) sim.containers.push(newContainer(c, true, now));
  for (const c of pod.spec?.containers ?? []) sim.containers.push(newContainer(c, false, now));
  for (const c of sim.containers) c.exit = plan(sim, c, profile);
  const ads = pod.spec?.activeDeadlineSeconds;
  if (typeof ads === 'number' && ads > 0) sim.deadlineAt = now + ads * 1000;
  const sched = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'True');
  sim.conditions.PodScheduled = { status: 'True', at: sched?.lastTransitionTime ? Date.parse(sched.lastTransitionTime) : now };
  updateConditions(sim, now);
  return sim;
}

function newContainer(spec: any, init: boolean, now: number): ContainerSim {
  return {
    name: spec.name,
    image: spec.image ?? '',
    init,
    sidecar: init && spec.restartPolicy === 'Always',
    state: 'Waiting',
    enteredAt: now,
    ready: false,
    restartCount: 0,
    backoffMs: 0,
  };
}

/** A pod rejected by admission: phase Failed, reason and message as the kubelet writes them. */
export function rejectedPodSim(pod: KubeObject, now: number, hostIP: string, reason: string, message: string): PodSim {
  const sim: PodSim = { ...baseSim(pod, now, hostIP), rejected: { reason, message }, terminal: true };
  return sim;
}

/**
 * Rebuilds the simulation of a pod that already has a status written by a previous run of the
 * pool: running containers stay running (same startedAt, restartCount, containerID).
 */
export function adoptPodSim(pod: KubeObject, now: number, hostIP: string, profile: Profile, plan: ExitPlanner = exitPlan): PodSim {
  const st = pod.status ?? {};
  if (st.phase === 'Failed' && st.reason && !(st.containerStatuses?.length)) {
    const sim = rejectedPodSim(pod, now, hostIP, st.reason, String(st.message ?? '').replace(/^Pod was rejected: /, ''));
    sim.startTime = st.startTime ? Date.parse(st.startTime) : now;
    return sim;
  }
  const sim = newPodSim(pod, now, hostIP, st.podIP, profile, plan);
  if (st.startTime) sim.startTime = Date.parse(st.startTime);
  if (sim.deadlineAt !== undefined) sim.deadlineAt = sim.startTime + pod.spec.activeDeadlineSeconds * 1000;
  if (st.phase === 'Succeeded' || st.phase === 'Failed') sim.terminal = true;
  if (st.phase === 'Failed' && st.reason) {
    sim.failure = { reason: st.reason, message: st.message ?? '' };
    if (st.reason === 'DeadlineExceeded') sim.deadlineExceeded = true;
  }
  const statuses = new Map<string, any>();
  for (const s of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) statuses.set(s.name, s);
  for (const c of sim.containers) {
    const s = statuses.get(c.name);
    if (!s) continue;
    c.restartCount = s.restartCount ?? 0;
    c.containerID = s.containerID || undefined;
    c.ready = !!s.ready;
    const lt = s.lastState?.terminated;
    if (lt) c.last = { exitCode: lt.exitCode, reason: lt.reason, startedAt: t(lt.startedAt), finishedAt: t(lt.finishedAt) ?? now, containerID: lt.containerID ?? '' };
    if (c.restartCount > 0) c.backoffMs = Math.min(profile.timings.backoffMaxMs, timing(sim, c, 'backoffBaseMs', profile) * 2 ** (c.restartCount - 1));
    if (s.state?.running) {
      c.state = 'Running';
      c.startedAt = t(s.state.running.startedAt) ?? now;
      c.enteredAt = c.startedAt;
    } else if (s.state?.terminated) {
      const x = s.state.terminated;
      c.state = 'Terminated';
      c.exitCode = x.exitCode;
      c.reason = x.reason;
      c.startedAt = t(x.startedAt);
      c.finishedAt = t(x.finishedAt) ?? now;
      c.enteredAt = c.finishedAt!;
      c.ready = c.init && x.exitCode === 0;
    } else if (s.state?.waiting?.reason === 'CrashLoopBackOff') {
      c.state = 'BackOff';
      c.enteredAt = now;
    }
  }
  for (const cond of st.conditions ?? []) {
    sim.conditions[cond.type] = { status: cond.status, at: t(cond.lastTransitionTime) ?? now, reason: cond.reason, message: cond.message };
  }
  return sim;
}

function t(s: string | undefined): number | undefined {
  return s ? Date.parse(s) : undefined;
}
