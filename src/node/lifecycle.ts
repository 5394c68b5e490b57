// The pod lifecycle simulator: pure state and pure steps. A PodSim holds what a container runtime
// would know about one pod (container instances, their states and times); step() advances it to
// `now` by applying the profile's stages and returns the kubelet events to emit and when it next
// needs waking. buildPodStatus() renders the API's pod status from it. No I/O, no timers here.
import type { KubeObject } from '../api/types.ts';
import {
  matches,
  timingAnnotations,
  type ContainerState,
  type Delay,
  type Effect,
  type EventTemplate,
  type Facts,
  type Profile,
  type Stage,
  type TimingName,
} from './profile.ts';
import { bytesOf, goDuration, hexId, milliCpu, parseDurationMs, rfc3339 } from './units.ts';
import { usageModel, type Pattern } from './usage.ts';

export interface TerminatedInfo {
  exitCode: number;
  reason: string;
  startedAt?: number;
  finishedAt: number;
  containerID: string;
}

export interface ContainerSim {
  name: string;
  image: string;
  init: boolean;
  /** An init container with restartPolicy: Always (a sidecar): counts as done once started. */
  sidecar: boolean;
  state: ContainerState;
  enteredAt: number;
  ready: boolean;
  restartCount: number;
  containerID?: string;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  last?: TerminatedInfo;
  backoffMs: number;
  pullMs?: number;
  exit?: ExitPlan;
  /** This instance's readiness probe failed (kubesim.io/unready-after). */
  flapped?: boolean;
  /** Image pull back-off (ErrImagePull → ImagePullBackOff). */
  pullBackoffMs?: number;
  /** Memo of resolved timings (annotations are read once). */
  timings?: Partial<Record<TimingName, number>>;
  imageRef?: string;
  imageID?: string;
}

export interface ExitPlan {
  afterMs: number;
  code: number;
  /** Terminated reason when not Completed/Error (OOMKilled). */
  reason?: string;
  /** Ends by a failed liveness probe. */
  liveness?: boolean;
}

export interface PodSim {
  uid: string;
  namespace: string;
  name: string;
  pod: KubeObject;
  containers: ContainerSim[];
  startTime: number;
  podIP?: string;
  hostIP: string;
  rejected?: { reason: string; message: string };
  /** Set when the pod got its deletionTimestamp. */
  deletingAt?: number;
  graceMs?: number;
  /** Adopted already terminal: nothing more happens. */
  terminal?: boolean;
  qos?: string;
  /** spec.activeDeadlineSeconds: when the kubelet kills the pod (DeadlineExceeded), and whether it did. */
  deadlineAt?: number;
  deadlineExceeded?: boolean;
  /** The kubelet failed the running pod (DeadlineExceeded, Evicted): status reason and message. */
  failure?: { reason: string; message: string };
  conditions: Record<string, { status: 'True' | 'False'; at: number; reason?: string; message?: string }>;
}

/** What a pod's node knows: which images it has pulled. */
export interface NodeImages {
  has(image: string): boolean;
  add(image: string): void;
}

export interface SimEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** spec.containers{name} / spec.initContainers{name}, as the kubelet's object references. */
  fieldPath?: string;
  at: number;
}

export interface StepResult {
  events: SimEvent[];
  /** Status-relevant change happened. */
  changed: boolean;
  /** When this pod next needs step(), or undefined. */
  nextAt?: number;
  /** Containers that changed state (for logs): [container, from, to, at]. */
  transitions: Transition[];
}

export interface Transition {
  container: ContainerSim;
  from: ContainerState;
  to: ContainerState;
  at: number;
}

// ---- construction ----------------------------------------------------------------------------

export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** A fresh simulation for a pod just admitted on a node. */
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

export function newPodSim(pod: KubeObject, now: number, hostIP: string, podIP: string | undefined, profile: Profile): PodSim {
  const sim: PodSim = { ...baseSim(pod, now, hostIP), podIP };
  for (const c of pod.spec?.initContainers ?? []) sim.containers.push(newContainer(c, true, now));
  for (const c of pod.spec?.containers ?? []) sim.containers.push(newContainer(c, false, now));
  for (const c of sim.containers) c.exit = exitPlan(sim, c, profile);
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
export function adoptPodSim(pod: KubeObject, now: number, hostIP: string, profile: Profile): PodSim {
  const st = pod.status ?? {};
  if (st.phase === 'Failed' && st.reason && !(st.containerStatuses?.length)) {
    const sim = rejectedPodSim(pod, now, hostIP, st.reason, String(st.message ?? '').replace(/^Pod was rejected: /, ''));
    sim.startTime = st.startTime ? Date.parse(st.startTime) : now;
    return sim;
  }
  const sim = newPodSim(pod, now, hostIP, st.podIP, profile);
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

// ---- timings and plans -------------------------------------------------------------------------

/** A timing for one container: `<annotation>.<container>`, then `<annotation>`, then the profile. */
export function timing(sim: PodSim, c: ContainerSim, name: TimingName, profile: Profile): number {
  const memo = (c.timings ??= {});
  const hit = memo[name];
  if (hit !== undefined) return hit;
  return (memo[name] = resolveTiming(sim, c, name, profile));
}

function resolveTiming(sim: PodSim, c: ContainerSim, name: TimingName, profile: Profile): number {
  const ann = sim.pod.metadata.annotations ?? {};
  const key = timingAnnotations[name];
  let v = profile.timings[name];
  if (key) {
    const o = parseDurationMs(ann[`${key}.${c.name}`]) ?? parseDurationMs(ann[key]);
    if (o !== undefined) v = o;
  }
  if (name === 'readinessMs') {
    const spec = containerSpec(sim.pod, c);
    const delay = spec?.readinessProbe?.initialDelaySeconds;
    if (typeof delay === 'number') v = Math.max(v, delay * 1000);
  }
  return v;
}

export function containerSpec(pod: KubeObject, c: ContainerSim): any {
  return (c.init ? pod.spec?.initContainers : pod.spec?.containers)?.find((x: any) => x.name === c.name);
}

/**
 * When and how a container exits: `kubesim.io/exit-after[.<c>]` / `kubesim.io/exit-code[.<c>]`,
 * else the command convention (`true`, `false`, `sleep N`, `sh -c "sleep 2; exit 3"`), else an
 * init container exits 0 after initRunMs; else it runs until stopped.
 */
export function exitPlan(sim: PodSim, c: ContainerSim, profile: Profile): ExitPlan | undefined {
  const ann = sim.pod.metadata.annotations ?? {};
  const after = ann[`kubesim.io/exit-after.${c.name}`] ?? ann['kubesim.io/exit-after'];
  const codeStr = ann[`kubesim.io/exit-code.${c.name}`] ?? ann['kubesim.io/exit-code'];
  const code = codeStr !== undefined && /^\d+$/.test(codeStr) ? parseInt(codeStr, 10) : undefined;
  const afterMs = parseDurationMs(after);
  const oom = oomAfter(sim, c);
  if (oom !== undefined && (afterMs === undefined || oom < afterMs)) return { afterMs: oom, code: 137, reason: 'OOMKilled' };
  if (afterMs !== undefined) return { afterMs, code: code ?? 0 };
  const live = parseDurationMs(ann[`kubesim.io/liveness-fail-after.${c.name}`] ?? ann['kubesim.io/liveness-fail-after']);
  if (live !== undefined) return { afterMs: live, code: 137, liveness: true };
  if (code !== undefined) return { afterMs: timing(sim, c, 'commandRunMs', profile), code };
  const spec = containerSpec(sim.pod, c);
  const argv = [...(spec?.command ?? []), ...(spec?.args ?? [])];
  const fromCommand = commandExit(argv, timing(sim, c, 'commandRunMs', profile));
  if (fromCommand) return fromCommand;
  if (c.init && !c.sidecar) return { afterMs: timing(sim, c, 'initRunMs', profile), code: 0 };
  // A batch pod (restartPolicy Never/OnFailure) with an explicit command we can't read, e.g. a Job's
  // `perl -Mbignum=bpi -wle 'print bpi(2000)'`: it computes something and succeeds.
  if (!c.sidecar && restartPolicy(sim) !== 'Always' && argv.length && !longRunning(argv)) {
    return { afterMs: timing(sim, c, 'commandRunMs', profile), code: 0 };
  }
  return undefined;
}

function longRunning(argv: string[]): boolean {
  const text = argv.join(' ');
  return /sleep\s+inf|tail\s+-f|while\s+(true|:)|^\S*(sh|bash|ash)$|serve|server|daemon/.test(text);
}

/**
 * When the container is OOM-killed: `kubesim.io/oom-after[.<c>]`, or when its memory pattern
 * (ramp, sine, square, const) first reaches its memory limit.
 */
export function oomAfter(sim: PodSim, c: ContainerSim): number | undefined {
  const ann = sim.pod.metadata.annotations ?? {};
  const explicit = parseDurationMs(ann[`kubesim.io/oom-after.${c.name}`] ?? ann['kubesim.io/oom-after']);
  if (explicit !== undefined) return explicit;
  const spec = containerSpec(sim.pod, c);
  const limit = spec?.resources?.limits?.memory;
  if (!limit) return undefined;
  const m = usageModel(sim.pod, spec, `${sim.uid}/${c.name}`);
  return crossing(m.memory, bytesOf(limit));
}

/** First time (ms from start) a pattern reaches `limit`, or undefined. Random walks never do. */
function crossing(p: Pattern, limit: number): number | undefined {
  switch (p.kind) {
    case 'const':
      return p.v >= limit ? 0 : undefined;
    case 'ramp':
      if (p.from >= limit) return 0;
      return p.to >= limit ? Math.ceil(((limit - p.from) / (p.to - p.from)) * p.durationMs) : undefined;
    case 'square':
      return p.low >= limit ? 0 : p.high >= limit ? p.periodMs / 2 : undefined;
    case 'sine': {
      if (p.max < limit) return undefined;
      const mid = (p.min + p.max) / 2;
      const amp = (p.max - p.min) / 2;
      if (amp === 0) return mid >= limit ? 0 : undefined;
      const x = Math.min(1, Math.max(-1, (limit - mid) / amp));
      return Math.max(0, Math.ceil((Math.asin(x) / (2 * Math.PI)) * p.periodMs));
    }
    default:
      return undefined;
  }
}

/** The command convention: a container whose command visibly terminates says when and how. */
export function commandExit(argv: string[], runMs: number): ExitPlan | undefined {
  if (!argv.length) return undefined;
  const base = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  const prog = base(argv[0]);
  if ((prog === 'sh' || prog === 'bash' || prog === 'ash') && argv[1] === '-c' && argv.length >= 3) return scriptExit(argv[2], runMs);
  return scriptExit(argv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ').replace(/^\S*\//, ''), runMs);
}

function scriptExit(script: string, runMs: number): ExitPlan | undefined {
  const parts = script
    .split(/;|&&|\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return undefined;
  let ms = 0;
  let slept = false;
  let code = 0;
  for (const p of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^exit(?:\s+(\d+))?$/.exec(p))) return { afterMs: slept ? ms : runMs, code: m[1] ? parseInt(m[1], 10) : code };
    if ((m = /^sleep\s+(\d+(?:\.\d+)?[smh]?)$/.exec(p))) {
      ms += parseDurationMs(/[smh]$/.test(m[1]) ? m[1] : `${m[1]}s`) ?? 0;
      slept = true;
    } else if (p === 'true' || p === ':') code = 0;
    else if (p === 'false') {
      code = 1;
      break; // `false && ...` stops; `false; ...` we treat the same (simple model)
    } else if (/^echo(\s|$)/.test(p) || /^printf(\s|$)/.test(p) || /^date$/.test(p)) code = 0;
    else return undefined; // something we don't model: runs until stopped
  }
  return { afterMs: slept ? ms : runMs, code };
}

// ---- the step ----------------------------------------------------------------------------------

function initsDoneBefore(sim: PodSim, c: ContainerSim): boolean {
  for (const x of sim.containers) {
    if (x === c) return true;
    if (!x.init) return true;
    if (!initDone(x)) return false;
  }
  return true;
}

function initDone(x: ContainerSim): boolean {
  // A sidecar is done once it has started (it keeps running); a plain init container once it exited 0.
  return x.sidecar ? x.startedAt !== undefined || x.restartCount > 0 : x.state === 'Terminated' && x.exitCode === 0;
}

export function allInitsDone(sim: PodSim): boolean {
  return sim.containers.every((x) => !x.init || initDone(x));
}

function restartPolicy(sim: PodSim): string {
  return sim.pod.spec?.restartPolicy ?? 'Always';
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
  return Math.min(timing(sim, c, 'stopMs', profile), sim.graceMs ?? Infinity);
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
      const code = e === 'exit' ? c.exit?.afterMs !== undefined ? c.exit.code : 0 : timing(sim, c, 'stopMs', profile) <= (sim.graceMs ?? Infinity) ? 0 : 137;
      c.exitCode = code;
      c.reason = e === 'exit' && c.exit?.reason ? c.exit.reason : code === 0 ? 'Completed' : 'Error';
      c.finishedAt = at;
      c.ready = c.init && !c.sidecar && code === 0;
      if (c.startedAt !== undefined && at - c.startedAt >= timing(sim, c, 'backoffResetMs', profile)) c.backoffMs = 0;
      break;
    }
    case 'restart':
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

export function podRef(sim: PodSim): string {
  return `${sim.name}_${sim.namespace}(${sim.uid})`;
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
    probeFailure: probeFailure(sim, c, 'livenessProbe'),
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

/** kubesim.io/pull-error[.<c>]: "true", or an image whose name or tag says it doesn't exist. */
export function pullFails(sim: PodSim, c: ContainerSim): boolean {
  const ann = sim.pod.metadata.annotations ?? {};
  const v = ann[`kubesim.io/pull-error.${c.name}`] ?? ann['kubesim.io/pull-error'];
  if (v !== undefined) return v === 'true';
  return /(doesnotexist|does-not-exist|nonexistent|notfound|not-found)/i.test(c.image);
}

function pullError(c: ContainerSim): string {
  const ref = imageRef(c.image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

/** The prober's failure message for the container's liveness probe kind. */
function probeFailure(sim: PodSim, c: ContainerSim, probe: 'livenessProbe' | 'readinessProbe'): string {
  const p = containerSpec(sim.pod, c)?.[probe];
  if (p?.exec) return `command ${JSON.stringify((p.exec.command ?? []).join(' '))} exited with 1`;
  if (p?.tcpSocket) return `dial tcp ${sim.podIP ?? sim.hostIP}:${p.tcpSocket.port}: connect: connection refused`;
  if (p?.grpc) return `timeout: failed to connect service ":${p.grpc.port}" within 1s`;
  return 'HTTP probe failed with statuscode: 500';
}

/** The pod got a deletionTimestamp: stop its containers (Killing), bounded by the grace period. */
export function markDeleting(sim: PodSim, now: number, graceSeconds: number | undefined): void {
  if (sim.deletingAt !== undefined) return;
  sim.deletingAt = now;
  sim.graceMs = Math.max(0, (graceSeconds ?? 30) * 1000);
}

/** Deleting and every container stopped: the agent can finish the deletion. */
export function readyToRemove(sim: PodSim): boolean {
  return sim.deletingAt !== undefined && sim.containers.every((c) => c.state !== 'Running' && c.state !== 'Stopping');
}

// ---- status ------------------------------------------------------------------------------------

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
    if (c.state === 'Running' || c.state === 'Stopping') running++;
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

export function qosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || (r === 'cpu' ? milliCpu(q) !== milliCpu(l) : bytesOf(q) !== bytesOf(l))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function imageRef(image: string): string {
  let name = image.split('@')[0];
  const lastSlash = name.lastIndexOf('/');
  if (!name.slice(lastSlash + 1).includes(':')) name += ':latest';
  const first = name.split('/')[0];
  if (!name.includes('/')) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  return name;
}

export function imageID(image: string): string {
  return `${imageRef(image).replace(/:[^:/]+$/, '')}@sha256:${hexId(imageRef(image))}`;
}

function containerStatus(sim: PodSim, c: ContainerSim): any {
  let state: any;
  switch (c.state) {
    case 'Waiting':
      state = { waiting: { reason: 'PodInitializing' } };
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
      state = { running: { startedAt: rfc3339(c.startedAt ?? c.enteredAt) } };
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
    ready: c.ready,
    restartCount: c.restartCount,
    image: (c.imageRef ??= imageRef(c.image)),
    imageID: ran ? (c.imageID ??= imageID(c.image)) : '',
    ...(c.containerID && c.state !== 'Pending' ? { containerID: c.containerID } : {}),
    started: c.state === 'Running' || c.state === 'Stopping',
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
    qosClass: (sim.qos ??= qosClass(sim.pod)),
  };
  return status;
}
