// The simulated container runtime: no processes. Exits follow the exit plans (exitplan.ts), logs are
// generated lazily as a function of time (logs.ts), usage is a pure function of time (usage.ts), so
// 10,000 idle containers cost nothing until someone reads them.
import { exitPlan } from './exitplan.ts';
import { LogStore } from './logs.ts';
import { containerSpec, type ContainerSim, type ExitPlan, type PodSim } from './podsim.ts';
import type { Profile } from './profile.ts';
import type { ContainerLog, ContainerRuntime, ContainerUsage, ExitListener } from './runtime.ts';
import type { KubeObject } from '../api/types.ts';
import { milliValueOrZero } from '../api/quantity.ts';
import { podFacts, type PodFacts, type PodShare, type WorkloadLoad } from './load.ts';
import type { PortAnswerer } from './answer.ts';
import { cpuAt, cpuIntegralNanos, memoryAt, usageInputs, usageModel, type UsageModel } from './usage.ts';

/** A container's usage model and its running CPU integral (created when its usage is first read). */
interface Meter {
  model: UsageModel;
  /** What the model was built from (usageInputs): a pod whose annotations or resources change gets a new model. */
  inputs: string;
  t: number;
  nanos: number;
  /** startedAt of the instance already reported OOMKilled. */
  oomed?: number;
  /** The pod object `inputs` and `weight` were read from: an unchanged pod skips re-reading them. */
  pod?: KubeObject;
  /** containerWeight of the container in that pod. */
  weight: number;
  /** podFacts of that pod (its controller and readiness, for its load share). */
  facts: PodFacts | undefined;
}

/** CPU a container of a loaded workload burns without a share (not ready, or no load now): millicores. */
const IDLE_MILLI_CPU = 1;

/** The container's part of its pod's share: by cpu requests among the regular containers, else even. */
export function containerWeight(pod: KubeObject, name: string): number {
  const cs: any[] = pod.spec?.containers ?? [];
  if (!cs.some((c) => c.name === name)) return 0;
  const req = cs.map((c) => milliValueOrZero(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu));
  const total = req.reduce((a, b) => a + b, 0);
  if (total === 0) return 1 / cs.length;
  return req[cs.findIndex((c) => c.name === name)] / total;
}

/**
 * Usage under a workload load: its share (idle CPU without one), CPU throttled at the limit; memory
 * may exceed it (the caller kills). What the share does not set is the container's own model at t.
 */
export function loadedCpu(m: UsageModel, startedAt: number, t: number, share: PodShare, weight: number): number {
  const cpu = share.milliCpu === undefined ? cpuAt(m, startedAt, t) : share.milliCpu > 0 ? share.milliCpu * weight : IDLE_MILLI_CPU;
  return m.cpuLimit !== undefined ? Math.min(cpu, m.cpuLimit) : cpu;
}

/** loadedCpu and loadedMemory together. */
export function loadedUsage(m: UsageModel, startedAt: number, t: number, share: PodShare, weight: number): { milliCpu: number; memory: number } {
  return { milliCpu: loadedCpu(m, startedAt, t, share, weight), memory: loadedMemory(m, startedAt, t, share, weight) };
}

/** loadedCpu's memory: bytes. */
export function loadedMemory(m: UsageModel, startedAt: number, t: number, share: PodShare, weight: number): number {
  return share.memory === undefined ? memoryAt(m, startedAt, t) : Math.round(share.memory * weight);
}

export class SimulatedRuntime implements ContainerRuntime {
  readonly logs: LogStore;
  private readonly meters = new WeakMap<ContainerSim, Meter>();
  private readonly exitListeners: ExitListener[] = [];
  /** Workload loads (set by the pool once its informers run). */
  load?: WorkloadLoad;
  /** Answers HTTP on running containers' declared ports (answer.ts); unset: no listeners. */
  ports?: PortAnswerer;

  constructor(logLines = 1000, logIntervalMs = 10_000) {
    this.logs = new LogStore(logLines, logIntervalMs);
  }

  exitPlan(sim: PodSim, c: ContainerSim, profile: Profile): ExitPlan | undefined {
    return exitPlan(sim, c, profile);
  }

  start(sim: PodSim, c: ContainerSim, at: number): void {
    this.logs.started(sim.pod, c.name, c.image, c.restartCount, at);
    this.ports?.started(sim, c);
  }

  stop(sim: PodSim, c: ContainerSim, at: number): void {
    this.logs.note(sim.namespace, sim.name, c.name, at, 'kubesim: received SIGTERM, shutting down');
  }

  ended(sim: PodSim, c: ContainerSim, at: number): void {
    this.ports?.ended(c);
    this.logs.ended(sim.namespace, sim.name, c.name, at, `kubesim: container ${c.name} exited with code ${c.exitCode ?? 0}`);
  }

  adopt(sim: PodSim, c: ContainerSim): void {
    if (c.startedAt !== undefined) {
      this.logs.started(sim.pod, c.name, c.image, c.restartCount, c.startedAt);
      this.ports?.started(sim, c);
    }
  }

  remove(sim: PodSim): void {
    this.logs.forgetPod(sim.namespace, sim.name);
    this.ports?.removed(sim);
  }

  async close(): Promise<void> {
    this.ports?.close();
  }

  log(namespace: string, pod: string, container: string, previous: boolean): ContainerLog | undefined {
    return this.logs.get(namespace, pod, container, previous);
  }

  onExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  usage(sim: PodSim, c: ContainerSim, now: number): ContainerUsage {
    const startedAt = c.startedAt!;
    let m = this.meters.get(c);
    if (!m || m.pod !== sim.pod) {
      // pod objects are replaced, never edited, on update: the same object has the same inputs
      const spec = containerSpec(sim.pod, c) ?? { name: c.name };
      const inputs = usageInputs(sim.pod, spec);
      if (!m || m.inputs !== inputs) {
        m = { model: usageModel(sim.pod, spec, `${sim.uid}/${c.name}`), inputs, t: m?.t ?? startedAt, nanos: m?.nanos ?? 0, oomed: m?.oomed, pod: undefined, weight: 0, facts: undefined };
        this.meters.set(c, m);
      }
      m.pod = sim.pod;
      m.weight = containerWeight(sim.pod, c.name);
      m.facts = c.init ? undefined : podFacts(sim.pod);
    }
    if (m.t < startedAt) {
      m.t = startedAt; // a new instance: cumulative counters restart
      m.nanos = 0;
    }
    const share = c.init ? undefined : this.load?.share(sim.pod, now, m.facts);
    let milliCpu: number;
    let memory: number;
    if (share) {
      milliCpu = loadedCpu(m.model, startedAt, now, share, m.weight);
      memory = loadedMemory(m.model, startedAt, now, share, m.weight);
      m.nanos += Math.round(milliCpu * Math.max(0, now - m.t) * 1e3);
      if (m.model.memoryLimit !== undefined && memory > m.model.memoryLimit) {
        memory = m.model.memoryLimit;
        if (m.oomed !== startedAt) {
          m.oomed = startedAt;
          for (const l of this.exitListeners) l(sim, c, 137, now, { reason: 'OOMKilled' });
        }
      }
    } else {
      milliCpu = cpuAt(m.model, startedAt, now);
      memory = memoryAt(m.model, startedAt, now);
      m.nanos += cpuIntegralNanos(m.model, startedAt, m.t, now);
    }
    m.t = Math.max(m.t, now);
    return { name: c.name, milliCpu, memory, cpuNanos: m.nanos, startedAt };
  }
}
