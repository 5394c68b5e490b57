// The pod status the kubelet writes, rendered from a simulation: phase (the kubelet's getPhase),
// conditions (lastTransitionTime moves only on a flip), container statuses, QoS class (api/core). Pure.
import { podQOSClass } from '../api/core/index.ts';
import { allInitsDone, containerSpec, imageRef, initDone, podRef, pullError, readyToRemove, restartPolicy, starting, type ContainerSim, type PodSim } from './podsim.ts';
import { goDuration, hexId, rfc3339 } from './units.ts';

/** The pod phase, after kubelet's getPhase. */
export function podPhase(sim: PodSim): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (sim.rejected || sim.failure) return 'Failed';
  const policy = restartPolicy(sim);
  const removing = sim.deletingAt !== undefined && readyToRemove(sim);
  const inits = sim.containers.filter((c) => c.init && !c.sidecar);
  for (const c of inits) {
    if (c.state === 'Terminated' && c.exitCode !== 0 && policy === 'Never') return 'Failed';
  }
  const regular = sim.containers.filter((c) => !c.init);
  if (removing) {
    return regular.length && regular.every((c) => c.state === 'Terminated' && c.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  if (!allInitsDone(sim)) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of regular) {
    if (starting(c)) waiting++;
    else if (c.state === 'Running' || c.state === 'Stopping') running++;
    else if (c.state === 'Terminated') {
      stopped++;
      if (c.exitCode === 0) succeeded++;
    } else if (c.last) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(sim: PodSim, type: string, ok: boolean, at: number, reason?: string, message?: string): void {
  const status = ok ? 'True' : 'False';
  const prev = sim.conditions[type];
  if (!prev || prev.status !== status) sim.conditions[type] = { status, at, reason, message };
  else {
    prev.reason = reason;
    prev.message = message;
  }
}

/** Recomputes the pod conditions; lastTransitionTime moves only when a status flips. */
export function updateConditions(sim: PodSim, at: number): void {
  if (sim.rejected) return;
  const phase = podPhase(sim);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  cond(sim, 'PodReadyToStartContainers', !terminal, at);
  const incomplete = sim.containers.filter((c) => c.init && !initDone(c)).map((c) => c.name);
  if (terminal && !incomplete.length) cond(sim, 'Initialized', true, at, 'PodCompleted');
  else cond(sim, 'Initialized', !incomplete.length, at, incomplete.length ? 'ContainersNotInitialized' : undefined, incomplete.length ? `containers with incomplete status: [${incomplete.join(' ')}]` : undefined);
  const unready = sim.containers.filter((c) => !c.init && !c.ready).map((c) => c.name);
  if (terminal) {
    cond(sim, 'Ready', false, at, 'PodCompleted');
    cond(sim, 'ContainersReady', false, at, 'PodCompleted');
  } else {
    const msg = unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined;
    cond(sim, 'Ready', !unready.length, at, unready.length ? 'ContainersNotReady' : undefined, msg);
    cond(sim, 'ContainersReady', !unready.length, at, unready.length ? 'ContainersNotReady' : undefined, msg);
  }
}

/** imageIDs by image (few distinct images; each status build asks again). */
const imageIDs = new Map<string, string>();

export function imageID(image: string): string {
  let id = imageIDs.get(image);
  if (id === undefined) {
    id = `${imageRef(image).replace(/:[^:/]+$/, '')}@sha256:${hexId(imageRef(image))}`;
    if (imageIDs.size >= 10_000) imageIDs.clear();
    imageIDs.set(image, id);
  }
  return id;
}

function containerStatus(sim: PodSim, c: ContainerSim): any {
  let state: any;
  switch (c.state) {
    case 'Waiting':
      state = { waiting: { reason: sim.mountPending && !sim.containers.some((x) => x.init) ? 'ContainerCreating' : 'PodInitializing' } };
      break;
    case 'Pending':
    case 'Pulling':
    case 'Pulled':
    case 'Created':
      state = { waiting: { reason: c.init ? 'PodInitializing' : 'ContainerCreating' } };
      break;
    case 'ErrImagePull':
      state = { waiting: { reason: 'ErrImagePull', message: pullError(c) } };
      break;
    case 'ImagePullBackOff':
      state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}": ErrImagePull: ${pullError(c)}` } };
      break;
    case 'Running':
    case 'Stopping':
      // a container whose postStart hook has not returned is still being created
      state = starting(c) ? { waiting: { reason: c.init ? 'PodInitializing' : 'ContainerCreating' } } : { running: { startedAt: rfc3339(c.startedAt ?? c.enteredAt) } };
      break;
    case 'Terminated':
      state = {
        terminated: {
          exitCode: c.exitCode ?? 0,
          reason: c.reason ?? 'Completed',
          ...(c.startedAt !== undefined ? { startedAt: rfc3339(c.startedAt) } : {}),
          finishedAt: rfc3339(c.finishedAt ?? c.enteredAt),
          ...(c.containerID ? { containerID: c.containerID } : {}),
        },
      };
      break;
    case 'BackOff':
      state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${goDuration(c.backoffMs)} restarting failed container=${c.name} pod=${podRef(sim)}`,
        },
      };
      break;
  }
  const ran = c.containerID !== undefined;
  const last = c.last
    ? {
        terminated: {
          exitCode: c.last.exitCode,
          reason: c.last.reason,
          ...(c.last.startedAt !== undefined ? { startedAt: rfc3339(c.last.startedAt) } : {}),
          finishedAt: rfc3339(c.last.finishedAt),
          containerID: c.last.containerID,
        },
      }
    : {};
  const spec = containerSpec(sim.pod, c);
  return {
    name: c.name,
    state,
    lastState: last,
    ready: c.ready && !starting(c),
    restartCount: c.restartCount,
    image: (c.imageRef ??= imageRef(c.image)),
    imageID: ran ? (c.imageID ??= imageID(c.image)) : '',
    ...(c.containerID && c.state !== 'Pending' ? { containerID: c.containerID } : {}),
    started: (c.state === 'Running' && !starting(c)) || c.state === 'Stopping',
    ...(spec?.resources && Object.keys(spec.resources).length ? { resources: spec.resources } : {}),
  };
}

const conditionOrder = ['DisruptionTarget', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

/** The pod status the kubelet would write for this simulation state. */
export function buildPodStatus(sim: PodSim): any {
  if (sim.rejected) {
    return {
      phase: 'Failed',
      reason: sim.rejected.reason,
      message: `Pod was rejected: ${sim.rejected.message}`,
      startTime: rfc3339(sim.startTime),
      ...(sim.pod.status?.conditions ? { conditions: sim.pod.status.conditions } : {}),
    };
  }
  const phase = podPhase(sim);
  const failure = sim.failure ? { reason: sim.failure.reason, message: sim.failure.message } : {};
  const conditions = conditionOrder
    .filter((type) => sim.conditions[type])
    .map((type) => {
      const c = sim.conditions[type];
      return {
        type,
        status: c.status,
        lastProbeTime: null,
        lastTransitionTime: rfc3339(c.at),
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.message ? { message: c.message } : {}),
      };
    });
  const inits = sim.containers.filter((c) => c.init);
  const regular = sim.containers.filter((c) => !c.init);
  const status: any = {
    phase,
    ...failure,
    conditions,
    hostIP: sim.hostIP,
    hostIPs: [{ ip: sim.hostIP }],
    ...(sim.podIP ? { podIP: sim.podIP, podIPs: [{ ip: sim.podIP }] } : {}),
    startTime: rfc3339(sim.startTime),
    ...(inits.length ? { initContainerStatuses: inits.map((c) => containerStatus(sim, c)) } : {}),
    containerStatuses: regular.map((c) => containerStatus(sim, c)),
    qosClass: (sim.qos ??= podQOSClass(sim.pod.spec)),
  };
  return status;
}
