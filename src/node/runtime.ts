// The seam between the pod runtime and what runs containers (the kubelet's CRI, much reduced). The
// pod runtime decides *when* things happen, by the profile's stages (step.ts); a ContainerRuntime
// does them: starts an instance, sends it the stop signal, makes sure an ended instance is gone,
// keeps its logs and measures its usage. It also says how an instance will exit when it knows in
// advance (the simulation does: exitplan.ts), or reports the exit when it happens (a real process).
// SimulatedRuntime (simruntime.ts) is the default; docs/node-simulation.md describes the contract.
import type { LogLine, LogOptions } from './logs.ts';
import type { ContainerSim, ExitPlan, PodSim } from './podsim.ts';
import type { Profile } from './profile.ts';

/** One container instance's log, as the kubelet server reads it. */
export interface ContainerLog {
  /** Set once the instance ended: `follow` stops there. */
  readonly endedAt?: number;
  read(opts: LogOptions, now: number): LogLine[];
  /** Lines after sequence number `afterSeq` (for follow). */
  since(afterSeq: number, now: number): LogLine[];
}

/** Usage of one running container instance. */
export interface ContainerUsage {
  name: string;
  milliCpu: number;
  memory: number;
  /** Cumulative CPU of this instance, core-nanoseconds. */
  cpuNanos: number;
  startedAt: number;
}

/** How a reported exit came about, when not a plain exit: OOMKilled, a failed liveness/startup probe (its message). */
export interface ExitDetail {
  reason?: string;
  liveness?: boolean;
  message?: string;
  /** A Warning event about why it ended (FailedPostStartHook), recorded with the exit. */
  event?: { reason: string; message: string };
}

/** A runtime reports an exit it did not plan: instance `c` of `sim` ended with `code` at `at`. */
export type ExitListener = (sim: PodSim, c: ContainerSim, code: number, at: number, detail?: ExitDetail) => void;

/** A runtime reports a readiness probe result of instance `c`; `message` on a failure (the Unhealthy event). */
export type ReadinessListener = (sim: PodSim, c: ContainerSim, ready: boolean, at: number, message?: string) => void;

/**
 * What runs containers. Every call names the pod's simulation and the container (its image, spec
 * via `containerSpec(sim.pod, c)`, instance number `c.restartCount`); the runtime keeps whatever
 * per-instance state it needs keyed by them, and must not change them.
 */
export interface ContainerRuntime {
  /** How and when each instance of `c` exits, if known before it starts; undefined: it runs until stopped, or until the runtime reports its exit. */
  exitPlan(sim: PodSim, c: ContainerSim, profile: Profile): ExitPlan | undefined;
  /**
   * Start instance `c.restartCount` of `c` (the lifecycle reached Running at `at`). For a real
   * container with a postStart hook, a promise that settles when the hook returned (failed or not):
   * until then the container is reported Waiting (ContainerCreating), not started, not ready.
   */
  start(sim: PodSim, c: ContainerSim, at: number): void | Promise<void>;
  /** Send the stop signal (pod deletion); the lifecycle ends the instance after its grace period at the latest. */
  stop(sim: PodSim, c: ContainerSim, at: number): void;
  /** The instance ended at `at` with `c.exitCode` (its planned or reported exit, a stop, or a kill): it must be gone. */
  ended(sim: PodSim, c: ContainerSim, at: number): void;
  /** Take over an instance a previous run of the pool started and reported Running (`c.startedAt`). */
  adopt(sim: PodSim, c: ContainerSim): void;
  /** The pod is gone: release everything kept for it. */
  remove(sim: PodSim): void;
  /** The current (or the previous, terminated) instance's log. */
  log(namespace: string, pod: string, container: string, previous: boolean): ContainerLog | undefined;
  /** Usage of the running instance of `c` (started at `c.startedAt`) at `now`. */
  usage(sim: PodSim, c: ContainerSim, now: number): ContainerUsage;
  /** Register for exits the runtime did not plan (the simulated runtime: a workload's memory load above the limit, OOMKilled). */
  onExit?(listener: ExitListener): void;
  /**
   * Instances of `c` are real processes: after the stop signal they end when the runtime reports
   * their exit (killed with 137 when the grace period runs out first), and when the container has a
   * readiness or startup probe, its readiness is what the runtime reports (onReadiness).
   */
  isReal?(sim: PodSim, c: ContainerSim): boolean;
  /** Register for readiness probe results (real containers only). */
  onReadiness?(listener: ReadinessListener): void;
  /**
   * Runs `command` in the context (env, working directory) of the running instance of `c`, stdio
   * piped (kubectl exec); undefined when the container has no process to run it beside.
   */
  spawnIn?(sim: PodSim, c: ContainerSim, command: string[]): import('node:child_process').ChildProcess | undefined;
  /** The running instance of `c`'s own stdio (kubectl attach); undefined when it has no process. */
  attach?(sim: PodSim, c: ContainerSim): import('./exec.ts').AttachIO | undefined;
  /** The pool stops: end every instance (no process outlives the pool). */
  close?(): Promise<void>;
}
