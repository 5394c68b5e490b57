// The step engine: advances a pod's simulation to `now` by applying the profile's stages (the
// earliest due stage across containers first, so events come out in time order), and says when the
// pod next needs waking. The kubelet's own kills (activeDeadlineSeconds, eviction) are here too. Pure.
import { matches, type Delay, type Effect, type EventTemplate, type Facts, type Profile, type Stage } from './profile.ts';
import {
  allInitsDone,
  containerSpec,
  initDone,
  podRef,
  pullError,
  pullFails,
  restartPolicy,
  timing,
  type ContainerSim,
  type NodeImages,
  type PodSim,
  type SimEvent,
  type StepResult,
} from './podsim.ts';
import { podPhase, updateConditions } from './podstatus.ts';
import { goDuration, hexId } from './units.ts';

function initsDoneBefore(sim: PodSim, c: ContainerSim): boolean {
  for (const x of sim.containers) {
    if (x === c) return true;
    if (!x.init) return true;
    if (!initDone(x)) return false;
  }
  return true;
}

export function factsOf(sim: PodSim, c: ContainerSim, images: NodeImages, profile: Profile): Facts {
  const spec = containerSpec(sim.pod, c);
  const policy = restartPolicy(sim);
  const code = c.exitCode ?? 0;
  const restart = c.sidecar ? true : c.init ? code !== 0 && policy !== 'Never' : policy === 'Always' || (policy === 'OnFailure' && code !== 0);
  return {
    init: c.init,
    sidecar: c.sidecar,
    active: c.init ? initsDoneBefore(sim, c) : allInitsDone(sim),
    pullNeeded: spec?.imagePullPolicy === 'Always' || !images.has(c.image),
    pullFails: pullFails(sim, c),
    ready: c.ready,
    exits: c.exit !== undefined,
    livenessKill: c.exit?.liveness === true,
    flapping: !c.flapped && !c.init && timing(sim, c, 'unreadyAfterMs', profile) > 0,
    flapped: !!c.flapped,
    recovers: timing(sim, c, 'unreadyForMs', profile) > 0,
    restart,
    backoff: c.backoffMs > 0,
    deleting: sim.deletingAt !== undefined,
  };
}

/** The stage that applies next to a container, with its due time (earliest due wins, then order). */
export function nextStage(sim: PodSim, c: ContainerSim, facts: Facts, profile: Profile): { stage: Stage; at: number } | undefined {
  let best: { stage: Stage; at: number } | undefined;
  for (const stage of profile.stages) {
    if (!stage.from.includes(c.state) || !matches(stage.when, facts)) continue;
    if (c.hookPending && c.state === 'Running' && stage.effects?.includes('ready')) continue; // not ready before its postStart returned
    const anchor =
      stage.anchor === 'started' ? c.startedAt ?? c.enteredAt : stage.anchor === 'deletion' ? Math.max(c.enteredAt, sim.deletingAt ?? 0) : c.enteredAt;
    const at = anchor + delayMs(sim, c, stage.delay, profile);
    if (!best || at < best.at) best = { stage, at };
  }
  return best;
}

function delayMs(sim: PodSim, c: ContainerSim, d: Delay, profile: Profile): number {
  if ('ms' in d) return d.ms;
  if ('timing' in d) return timing(sim, c, d.timing, profile);
  if ('exit' in d) return c.exit?.afterMs ?? Infinity;
  if ('backoff' in d) return c.backoffMs;
  if ('pullBackoff' in d) return c.pullBackoffMs ?? 0;
  // stop: the container stops after stopMs, or is killed when the grace period runs out.
  return Math.min(stopAfterMs(sim, c, profile), sim.graceMs ?? Infinity);
}

/** How long after Killing the instance stops: when a real one reported its exit (never, until it does), else stopMs. */
function stopAfterMs(sim: PodSim, c: ContainerSim, profile: Profile): number {
  if (c.exit?.reported && c.startedAt !== undefined) return Math.max(0, c.startedAt + c.exit.afterMs - c.enteredAt);
  return c.real ? Infinity : timing(sim, c, 'stopMs', profile);
}

/** Advances the pod to `now`: applies every due stage (chains of zero-delay stages included). */
export function step(sim: PodSim, now: number, profile: Profile, images: NodeImages): StepResult {
  const res: StepResult = { events: [], changed: false, transitions: [] };
  if (sim.terminal) return res;
  for (let guard = 0; guard < 10_000; guard++) {
    // Apply the single earliest due stage across containers, so events come out in time order.
    let pick: { c: ContainerSim; stage: Stage; at: number } | undefined;
    for (const c of sim.containers) {
      const n = nextStage(sim, c, factsOf(sim, c, images, profile), profile);
      if (n && n.at <= now && (!pick || n.at < pick.at)) pick = { c, ...n };
    }
    if (!pick) break;
    apply(sim, pick.c, pick.stage, pick.at, profile, images, res);
    updateConditions(sim, pick.at);
    res.changed = true;
  }
  if (sim.deadlineAt !== undefined && !sim.deadlineExceeded && !sim.deletingAt && isLive(sim)) {
    if (sim.deadlineAt <= now) {
      exceedDeadline(sim, sim.deadlineAt, res);
      return res;
    }
  }
  let nextAt: number | undefined = sim.deadlineAt !== undefined && !sim.deadlineExceeded && isLive(sim) ? sim.deadlineAt : undefined;
  for (const c of sim.containers) {
    const n = nextStage(sim, c, factsOf(sim, c, images, profile), profile);
    if (n && Number.isFinite(n.at) && (nextAt === undefined || n.at < nextAt)) nextAt = n.at;
  }
  res.nextAt = nextAt;
  return res;
}

function isLive(sim: PodSim): boolean {
  const p = podPhase(sim);
  return p === 'Pending' || p === 'Running';
}

/** activeDeadlineSeconds passed: the kubelet kills every container and fails the pod. */
function exceedDeadline(sim: PodSim, at: number, res: StepResult): void {
  sim.deadlineExceeded = true;
  failPod(sim, at, 'DeadlineExceeded', DEADLINE_MESSAGE, res);
}

/**
 * The kubelet fails a live pod (deadline exceeded, eviction): Killing for each running container,
 * containers terminated with 137, phase Failed with reason and message, a Warning event.
 */
export function failPod(sim: PodSim, at: number, reason: string, message: string, res: StepResult, condition?: { type: string; reason: string }): void {
  for (const c of sim.containers) {
    if (c.state !== 'Running' && c.state !== 'Stopping') continue;
    const from = c.state;
    c.state = 'Terminated';
    c.enteredAt = at;
    c.exitCode = 137;
    c.reason = 'Error';
    c.finishedAt = at;
    c.ready = false;
    res.transitions.push({ container: c, from, to: 'Terminated', at });
    res.events.push({ type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}`, fieldPath: `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`, at });
  }
  res.events.push({ type: 'Warning', reason, message, at });
  sim.failure = { reason, message };
  sim.terminal = true;
  res.changed = true;
  if (condition) sim.conditions[condition.type] = { status: 'True', at, reason: condition.reason, message };
  updateConditions(sim, at);
}

/**
 * A real container's readiness probe result (the runtime's prober): readiness follows it while the
 * container runs; every failed attempt (`message`) is a Warning Unhealthy event, even before the
 * failure threshold flips readiness (the event sink aggregates repeats).
 */
export function probedReadiness(sim: PodSim, c: ContainerSim, ready: boolean, at: number, message?: string): StepResult {
  const res: StepResult = { events: [], changed: false, transitions: [] };
  if (c.state !== 'Running' || sim.terminal) return res;
  if (message !== undefined) {
    res.events.push({ type: 'Warning', reason: 'Unhealthy', message: `Readiness probe failed: ${message}`, fieldPath: `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`, at });
  }
  if (c.ready !== ready) {
    c.ready = ready;
    updateConditions(sim, at);
    res.changed = true;
  }
  return res;
}

export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

function apply(sim: PodSim, c: ContainerSim, stage: Stage, at: number, profile: Profile, images: NodeImages, res: StepResult): void {
  const from = c.state;
  const pullMs = from === 'Pulling' ? at - c.enteredAt : undefined;
  for (const e of stage.effects ?? []) applyEffect(sim, c, e, at, profile, images, pullMs);
  for (const ev of stage.events ?? []) res.events.push(renderEvent(sim, c, ev, at, profile));
  if (stage.to && stage.to !== from) {
    c.state = stage.to;
    c.enteredAt = at;
    res.transitions.push({ container: c, from, to: stage.to, at });
  } else if (stage.to) {
    c.enteredAt = at;
  }
}

function applyEffect(sim: PodSim, c: ContainerSim, e: Effect, at: number, profile: Profile, images: NodeImages, pullMs?: number): void {
  switch (e) {
    case 'imagePulled':
      images.add(c.image);
      c.pullMs = pullMs ?? 0;
      break;
    case 'start':
      c.startedAt = at;
      // a real container's postStart hook runs now: the runtime says when it returned (podruntime.ts)
      c.hookPending = c.real && containerSpec(sim.pod, c)?.lifecycle?.postStart ? true : undefined;
      c.containerID = `kubesim://${hexId(`${sim.uid}/${c.name}/${c.restartCount}`)}`;
      c.exitCode = undefined;
      c.finishedAt = undefined;
      c.reason = undefined;
      break;
    case 'ready':
      c.ready = true;
      break;
    case 'unready':
      c.ready = false;
      c.flapped = true;
      break;
    case 'exit':
    case 'killed': {
      const stoppedInTime = e === 'killed' && stopAfterMs(sim, c, profile) <= (sim.graceMs ?? Infinity);
      const code = e === 'exit' ? c.exit?.afterMs !== undefined ? c.exit.code : 0 : stoppedInTime ? (c.exit?.reported ? c.exit.code : 0) : 137;
      c.exitCode = code;
      c.reason = e === 'exit' && c.exit?.reason ? c.exit.reason : code === 0 ? 'Completed' : 'Error';
      c.finishedAt = at;
      c.ready = c.init && !c.sidecar && code === 0;
      if (c.startedAt !== undefined && at - c.startedAt >= timing(sim, c, 'backoffResetMs', profile)) c.backoffMs = 0;
      break;
    }
    case 'restart':
      if (c.exit?.reported) c.exit = undefined; // a reported exit belonged to the instance that ended
      c.last = { exitCode: c.exitCode ?? 0, reason: c.reason ?? 'Completed', startedAt: c.startedAt, finishedAt: c.finishedAt ?? at, containerID: c.containerID ?? '' };
      c.restartCount++;
      c.ready = false;
      c.flapped = false;
      c.startedAt = undefined;
      break;
    case 'armBackoff':
      c.backoffMs = timing(sim, c, 'backoffBaseMs', profile);
      break;
    case 'pullBackoff':
      c.pullBackoffMs = c.pullBackoffMs ? Math.min(c.pullBackoffMs * 2, timing(sim, c, 'backoffMaxMs', profile)) : timing(sim, c, 'backoffBaseMs', profile);
      break;
    case 'growBackoff':
      c.backoffMs = Math.min(c.backoffMs * 2, timing(sim, c, 'backoffMaxMs', profile));
      break;
  }
}

function renderEvent(sim: PodSim, c: ContainerSim, ev: EventTemplate, at: number, profile: Profile): SimEvent {
  const vars: Record<string, string> = {
    image: c.image,
    container: c.name,
    pod: podRef(sim),
    pullDuration: goDuration(c.pullMs ?? 0),
    pullTotal: goDuration(c.pullMs ?? 0),
    imageSize: String(profile.timings.imageSizeBytes),
    backoff: goDuration(c.backoffMs),
    probeFailure: c.exit?.message ?? probeFailure(sim, c, 'livenessProbe'),
    readinessFailure: probeFailure(sim, c, 'readinessProbe'),
    pullError: pullError(c),
  };
  return {
    type: ev.type,
    reason: ev.reason,
    message: ev.message.replace(/\{(\w+)\}/g, (m, k) => vars[k] ?? m),
    fieldPath: `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`,
    at,
  };
}

/** The prober's failure message for the container's liveness probe kind. */
function probeFailure(sim: PodSim, c: ContainerSim, probe: 'livenessProbe' | 'readinessProbe'): string {
  const p = containerSpec(sim.pod, c)?.[probe];
  if (p?.exec) return `command ${JSON.stringify((p.exec.command ?? []).join(' '))} exited with 1`;
  if (p?.tcpSocket) return `dial tcp ${sim.podIP ?? sim.hostIP}:${p.tcpSocket.port}: connect: connection refused`;
  if (p?.grpc) return `timeout: failed to connect service ":${p.grpc.port}" within 1s`;
  return 'HTTP probe failed with statuscode: 500';
}
