// The state of one pod's simulation (what a container runtime would know about it: container
// instances, their states and times) and the small accessors every part of the lifecycle reads:
// resolved timings, the container's spec, restart policy, init progress, deletion. Pure data, no I/O.
import type { KubeObject } from '../api/types.ts';
import { timingAnnotations, type ContainerState, type Profile, type TimingName } from './profile.ts';
import { parseDurationMs } from './units.ts';

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
  /** A real process runs it (ContainerRuntime.isReal): stops and probed readiness are the runtime's reports. */
  real?: boolean;
  /**
   * This instance's postStart hook has not returned yet (a real container's): as the kubelet's
   * startContainer, it is not started — Waiting (ContainerCreating), not ready — until it does.
   */
  hookPending?: boolean;
}

export interface ExitPlan {
  afterMs: number;
  code: number;
  /** Reported by the container runtime when the instance exited (not planned ahead): holds for that instance only. */
  reported?: boolean;
  /** Terminated reason when not Completed/Error (OOMKilled). */
  reason?: string;
  /** Ends by a failed liveness probe. */
  liveness?: boolean;
  /** The probe's failure message, when the runtime reported it. */
  message?: string;
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
  /** Waiting for its claims to be Bound (volumes.ts): containers show ContainerCreating. */
  mountPending?: boolean;
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
    // A real container with a readiness (or startup) probe is ready when the runtime's prober says so.
    if (c.real && (spec?.readinessProbe || spec?.startupProbe)) v = Infinity;
  }
  return v;
}

export function containerSpec(pod: KubeObject, c: ContainerSim): any {
  return (c.init ? pod.spec?.initContainers : pod.spec?.containers)?.find((x: any) => x.name === c.name);
}

export function restartPolicy(sim: PodSim): string {
  return sim.pod.spec?.restartPolicy ?? 'Always';
}

export function initDone(x: ContainerSim): boolean {
  // A sidecar is done once it has started (it keeps running); a plain init container once it exited 0.
  return x.sidecar ? (x.startedAt !== undefined && !starting(x)) || x.restartCount > 0 : x.state === 'Terminated' && x.exitCode === 0;
}

/** Running, but its postStart hook has not returned: reported Waiting (ContainerCreating), not started. */
export function starting(c: ContainerSim): boolean {
  return c.state === 'Running' && !!c.hookPending;
}

export function allInitsDone(sim: PodSim): boolean {
  return sim.containers.every((x) => !x.init || initDone(x));
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

export function podRef(sim: PodSim): string {
  return `${sim.name}_${sim.namespace}(${sim.uid})`;
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

/** kubesim.io/pull-error[.<c>]: "true", or an image whose name or tag says it doesn't exist. */
export function pullFails(sim: PodSim, c: ContainerSim): boolean {
  const ann = sim.pod.metadata.annotations ?? {};
  const v = ann[`kubesim.io/pull-error.${c.name}`] ?? ann['kubesim.io/pull-error'];
  if (v !== undefined) return v === 'true';
  return /(doesnotexist|does-not-exist|nonexistent|notfound|not-found)/i.test(c.image);
}

export function pullError(c: ContainerSim): string {
  const ref = imageRef(c.image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}
