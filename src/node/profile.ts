// The pod lifecycle as data, in the spirit of KWOK's Stage resources: a profile is a list of
// container stages (from-state, selector over facts, delay, next state, effects, events) plus the
// cluster-wide timings. Per pod, timings are overridden by annotations (see docs/node-simulation.md).
import { parseDurationMs } from './units.ts';

/** The simulated states of one container instance. */
export type ContainerState =
  | 'Waiting' // not yet allowed to start (init containers before it still running)
  | 'Pending' // allowed to start: image question not yet answered
  | 'Pulling'
  | 'ErrImagePull' // the pull failed
  | 'ImagePullBackOff' // waiting to pull again
  | 'Pulled'
  | 'Created'
  | 'Running'
  | 'Stopping' // Killing sent, waiting for the process to stop
  | 'Terminated'
  | 'BackOff'; // CrashLoopBackOff, waiting to restart

export interface Timings {
  /** Image pull time (only when the image is not on the node, or imagePullPolicy: Always). */
  pullMs: number;
  /** Create the container after its image is there. */
  createMs: number;
  /** Start it after creation. */
  startMs: number;
  /** Ready after start (a readinessProbe's initialDelaySeconds wins when larger). */
  readinessMs: number;
  /** How long an init container runs before exiting 0 (unless an exit annotation says otherwise). */
  initRunMs: number;
  /** How long a command-convention container (`true`, `false`, `sh -c "exit 3"`) runs. */
  commandRunMs: number;
  /** Time a container takes to stop after Killing; capped by the pod's grace period (then exit 137). */
  stopMs: number;
  /** CrashLoopBackOff: first back-off, cap, and running time after which the back-off resets. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffResetMs: number;
  /** Reported in the Pulled event ("Image size: N bytes."). */
  imageSizeBytes: number;
  /** Readiness probe starts failing this long after start (0 = never). */
  unreadyAfterMs: number;
  /** ... and succeeds again after this long (0 = stays unready). */
  unreadyForMs: number;
}

export type TimingName = keyof Timings;

/** Per-pod annotation overriding each timing; `<annotation>.<container>` overrides for one container. */
export const timingAnnotations: Partial<Record<TimingName, string>> = {
  pullMs: 'kubesim.io/pull-delay',
  createMs: 'kubesim.io/create-delay',
  startMs: 'kubesim.io/start-delay',
  readinessMs: 'kubesim.io/ready-after',
  initRunMs: 'kubesim.io/init-run',
  commandRunMs: 'kubesim.io/command-run',
  stopMs: 'kubesim.io/stop-delay',
  backoffBaseMs: 'kubesim.io/backoff-base',
  backoffMaxMs: 'kubesim.io/backoff-max',
  backoffResetMs: 'kubesim.io/backoff-reset',
  unreadyAfterMs: 'kubesim.io/unready-after',
  unreadyForMs: 'kubesim.io/unready-for',
};

export const defaultTimings: Timings = {
  pullMs: 1000,
  createMs: 100,
  startMs: 100,
  readinessMs: 0,
  initRunMs: 500,
  commandRunMs: 1000,
  stopMs: 500,
  backoffBaseMs: 10_000,
  backoffMaxMs: 300_000,
  backoffResetMs: 600_000,
  imageSizeBytes: 67_108_864,
  unreadyAfterMs: 0,
  unreadyForMs: 0,
};

/** Facts a stage selector can test, computed per container at each step. */
export interface Facts {
  init: boolean;
  sidecar: boolean;
  /** All init containers before this one are done (for regular containers: all of them). */
  active: boolean;
  /** The image must be pulled: not on the node yet, or imagePullPolicy Always. */
  pullNeeded: boolean;
  /** Pulling this image fails (kubesim.io/pull-error, or an image named like "nginx:doesnotexist"). */
  pullFails: boolean;
  ready: boolean;
  /** The container has an exit plan (annotation or command convention, or it's an init container). */
  exits: boolean;
  /** Its planned end is a failed liveness probe (the kubelet kills and restarts it). */
  livenessKill: boolean;
  /** A readiness failure is planned for this instance and has not happened yet. */
  flapping: boolean;
  /** This instance's readiness probe has failed. */
  flapped: boolean;
  /** After failing, readiness comes back (unreadyForMs > 0). */
  recovers: boolean;
  /** restartPolicy says the last exit must be followed by a restart. */
  restart: boolean;
  /** A back-off is armed (a previous restart happened and has not been reset). */
  backoff: boolean;
  /** The pod has a deletionTimestamp. */
  deleting: boolean;
}

export type Selector = Partial<{ [K in keyof Facts]: Facts[K] }>;

/** Delay of a stage: a (pod-overridable) timing, a fixed time, or the container's exit/back-off time. */
export type Delay = { timing: TimingName } | { ms: number } | { exit: true } | { backoff: true } | { pullBackoff: true } | { stop: true };

export type Effect =
  | 'imagePulled' // the node now has the image; records pull duration
  | 'start' // new startedAt
  | 'ready'
  | 'unready' // readiness probe fails: not ready until a stage sets ready again
  | 'exit' // terminates with the planned exit code
  | 'killed' // terminates after Killing (0 if stopped within grace, else 137)
  | 'restart' // new container instance: restartCount+1, lastState = this instance
  | 'armBackoff' // back-off := base
  | 'growBackoff' // back-off := min(2 × back-off, max)
  | 'pullBackoff'; // image pull back-off: base, then doubling to max

export interface EventTemplate {
  type: 'Normal' | 'Warning';
  reason: string;
  /** Placeholders: {image} {container} {pod} {pullDuration} {pullTotal} {imageSize} {backoff} {probeFailure} {readinessFailure} {pullError}. */
  message: string;
}

export interface Stage {
  name: string;
  from: ContainerState[];
  when?: Selector;
  delay: Delay;
  /** 'entered' (default): delay counts from entering the from-state; 'started': from startedAt;
   * 'deletion': from the pod's deletionTimestamp as seen by the node. */
  anchor?: 'entered' | 'started' | 'deletion';
  to?: ContainerState;
  effects?: Effect[];
  events?: EventTemplate[];
}

export interface Profile {
  timings: Timings;
  stages: Stage[];
}

/** The default lifecycle: what a kubelet with a container runtime does, with simulated delays. */
export const defaultStages: Stage[] = [
  { name: 'activate', from: ['Waiting'], when: { active: true }, delay: { ms: 0 }, to: 'Pending' },
  {
    name: 'pull',
    from: ['Pending'],
    when: { pullNeeded: true },
    delay: { ms: 0 },
    to: 'Pulling',
    events: [{ type: 'Normal', reason: 'Pulling', message: 'Pulling image "{image}"' }],
  },
  {
    name: 'image-present',
    from: ['Pending'],
    when: { pullNeeded: false },
    delay: { ms: 0 },
    to: 'Pulled',
    events: [{ type: 'Normal', reason: 'Pulled', message: 'Container image "{image}" already present on machine' }],
  },
  {
    name: 'pull-failed',
    from: ['Pulling'],
    when: { pullFails: true },
    delay: { timing: 'pullMs' },
    to: 'ErrImagePull',
    effects: ['pullBackoff'],
    events: [
      { type: 'Warning', reason: 'Failed', message: 'Failed to pull image "{image}": {pullError}' },
      { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' },
    ],
  },
  {
    name: 'pull-back-off',
    from: ['ErrImagePull'],
    delay: { ms: 1000 },
    to: 'ImagePullBackOff',
    events: [
      { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image "{image}"' },
      { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' },
    ],
  },
  { name: 'pull-retry', from: ['ImagePullBackOff'], delay: { pullBackoff: true }, to: 'Pending' },
  {
    name: 'pulled',
    from: ['Pulling'],
    when: { pullFails: false },
    delay: { timing: 'pullMs' },
    to: 'Pulled',
    effects: ['imagePulled'],
    events: [
      {
        type: 'Normal',
        reason: 'Pulled',
        message: 'Successfully pulled image "{image}" in {pullDuration} ({pullTotal} including waiting). Image size: {imageSize} bytes.',
      },
    ],
  },
  {
    name: 'create',
    from: ['Pulled'],
    delay: { timing: 'createMs' },
    to: 'Created',
    events: [{ type: 'Normal', reason: 'Created', message: 'Created container: {container}' }],
  },
  {
    name: 'start',
    from: ['Created'],
    delay: { timing: 'startMs' },
    to: 'Running',
    effects: ['start'],
    events: [{ type: 'Normal', reason: 'Started', message: 'Started container {container}' }],
  },
  { name: 'ready', from: ['Running'], when: { ready: false, init: false, flapped: false }, delay: { timing: 'readinessMs' }, anchor: 'started', effects: ['ready'] },
  { name: 'sidecar-ready', from: ['Running'], when: { ready: false, sidecar: true, flapped: false }, delay: { timing: 'readinessMs' }, anchor: 'started', effects: ['ready'] },
  {
    name: 'readiness-fail',
    from: ['Running'],
    when: { ready: true, flapping: true },
    delay: { timing: 'unreadyAfterMs' },
    anchor: 'started',
    to: 'Running',
    effects: ['unready'],
    events: [{ type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: {readinessFailure}' }],
  },
  { name: 'ready-again', from: ['Running'], when: { ready: false, flapped: true, recovers: true }, delay: { timing: 'unreadyForMs' }, effects: ['ready'] },
  { name: 'exit', from: ['Running'], when: { exits: true, livenessKill: false }, delay: { exit: true }, anchor: 'started', to: 'Terminated', effects: ['exit'] },
  {
    name: 'liveness-kill',
    from: ['Running'],
    when: { exits: true, livenessKill: true },
    delay: { exit: true },
    anchor: 'started',
    to: 'Terminated',
    effects: ['exit'],
    events: [
      { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: {probeFailure}' },
      { type: 'Normal', reason: 'Killing', message: 'Container {container} failed liveness probe, will be restarted' },
    ],
  },
  { name: 'restart-now', from: ['Terminated'], when: { restart: true, backoff: false }, delay: { ms: 0 }, to: 'Pending', effects: ['restart', 'armBackoff'] },
  {
    name: 'crash-loop',
    from: ['Terminated'],
    when: { restart: true, backoff: true },
    delay: { ms: 0 },
    to: 'BackOff',
    events: [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container {container} in pod {pod}' }],
  },
  { name: 'back-off-over', from: ['BackOff'], delay: { backoff: true }, to: 'Pending', effects: ['restart', 'growBackoff'] },
  // Deletion: only stages with `deleting: true` apply to a pod being deleted.
  {
    name: 'kill',
    from: ['Running'],
    when: { deleting: true },
    delay: { ms: 0 },
    anchor: 'deletion',
    to: 'Stopping',
    events: [{ type: 'Normal', reason: 'Killing', message: 'Stopping container {container}' }],
  },
  { name: 'stopped', from: ['Stopping'], when: { deleting: true }, delay: { stop: true }, to: 'Terminated', effects: ['killed'] },
];

export const defaultProfile: Profile = { timings: defaultTimings, stages: defaultStages };

/** A profile from partial timings (durations in ms or strings like "1.5s") over the defaults. */
export function makeProfile(timings: Partial<Record<TimingName, number | string>> = {}, stages = defaultStages): Profile {
  const t: Timings = { ...defaultTimings };
  for (const [k, v] of Object.entries(timings)) {
    if (v === undefined) continue;
    const ms = typeof v === 'number' ? v : parseDurationMs(v);
    if (ms === undefined || !(k in defaultTimings)) throw new Error(`invalid timing ${k}=${v}`);
    t[k as TimingName] = ms;
  }
  return { timings: t, stages };
}

export function matches(sel: Selector | undefined, facts: Facts): boolean {
  if (facts.deleting && sel?.deleting !== true) return false;
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel)) {
    if (facts[k as keyof Facts] !== v) return false;
  }
  return true;
}

const states: ContainerState[] = ['Waiting', 'Pending', 'Pulling', 'ErrImagePull', 'ImagePullBackOff', 'Pulled', 'Created', 'Running', 'Stopping', 'Terminated', 'BackOff'];
const factNames: (keyof Facts)[] = ['init', 'sidecar', 'active', 'pullNeeded', 'pullFails', 'ready', 'exits', 'livenessKill', 'flapping', 'flapped', 'recovers', 'restart', 'backoff', 'deleting'];
const effectNames: Effect[] = ['imagePulled', 'start', 'ready', 'unready', 'exit', 'killed', 'restart', 'armBackoff', 'growBackoff', 'pullBackoff'];

/**
 * A profile from a document (JSON/YAML parsed): `{ timings?: {pullMs: "2s", ...}, stages?: Stage[] }`.
 * Stages default to the default stages. Throws an Error naming the field and the problem.
 */
export function loadProfile(doc: unknown): Profile {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('profile: must be an object with timings and/or stages');
  const d = doc as { timings?: Record<string, number | string>; stages?: unknown };
  for (const k of Object.keys(d)) if (k !== 'timings' && k !== 'stages') throw new Error(`profile.${k}: unknown field (expected timings, stages)`);
  let stages = defaultStages;
  if (d.stages !== undefined) {
    if (!Array.isArray(d.stages) || d.stages.length === 0) throw new Error('profile.stages: must be a non-empty list');
    stages = d.stages.map((s, i) => validateStage(s, `profile.stages[${i}]`));
  }
  try {
    return makeProfile(d.timings ?? {}, stages);
  } catch (e) {
    throw new Error(`profile.timings: ${(e as Error).message}`);
  }
}

function validateStage(s: any, at: string): Stage {
  if (!s || typeof s !== 'object') throw new Error(`${at}: must be an object`);
  if (typeof s.name !== 'string' || !s.name) throw new Error(`${at}.name: Required value`);
  if (!Array.isArray(s.from) || !s.from.length || s.from.some((x: string) => !states.includes(x as ContainerState)))
    throw new Error(`${at}.from: must list states among ${states.join(', ')}`);
  if (s.to !== undefined && !states.includes(s.to)) throw new Error(`${at}.to: Unsupported value "${s.to}"`);
  for (const k of Object.keys(s.when ?? {})) {
    if (!factNames.includes(k as keyof Facts)) throw new Error(`${at}.when.${k}: unknown fact (expected one of ${factNames.join(', ')})`);
    if (typeof s.when[k] !== 'boolean') throw new Error(`${at}.when.${k}: must be true or false`);
  }
  const d = s.delay;
  const okDelay =
    d &&
    typeof d === 'object' &&
    ((typeof d.ms === 'number' && d.ms >= 0) ||
      (typeof d.timing === 'string' && d.timing in defaultTimings) ||
      d.exit === true ||
      d.backoff === true ||
      d.pullBackoff === true ||
      d.stop === true);
  if (!okDelay) throw new Error(`${at}.delay: must be {ms: N}, {timing: <name>}, {exit: true}, {backoff: true} or {stop: true}`);
  if (s.anchor !== undefined && !['entered', 'started', 'deletion'].includes(s.anchor)) throw new Error(`${at}.anchor: Unsupported value "${s.anchor}"`);
  for (const e of s.effects ?? []) if (!effectNames.includes(e)) throw new Error(`${at}.effects: Unsupported value "${e}"`);
  for (const [j, ev] of (s.events ?? []).entries()) {
    if (!ev || (ev.type !== 'Normal' && ev.type !== 'Warning') || typeof ev.reason !== 'string' || typeof ev.message !== 'string')
      throw new Error(`${at}.events[${j}]: needs type (Normal|Warning), reason and message`);
  }
  return s as Stage;
}
