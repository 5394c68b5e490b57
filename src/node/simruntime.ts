// The simulated container runtime: no processes. Exits follow the exit plans (exitplan.ts), logs are
// generated lazily as a function of time (logs.ts), usage is a pure function of time (usage.ts), so
// 10,000 idle containers cost nothing until someone reads them.
import { exitPlan } from './exitplan.ts';
import { LogStore } from './logs.ts';
import { containerSpec, type ContainerSim, type ExitPlan, type PodSim } from './podsim.ts';
import type { Profile } from './profile.ts';
import type { ContainerLog, ContainerRuntime, ContainerUsage } from './runtime.ts';
import { cpuIntegralNanos, usageAt, usageModel, type UsageModel } from './usage.ts';

/** A container's usage model and its running CPU integral (created when its usage is first read). */
interface Meter {
  model: UsageModel;
  t: number;
  nanos: number;
}

export class SimulatedRuntime implements ContainerRuntime {
  readonly logs: LogStore;
  private readonly meters = new WeakMap<ContainerSim, Meter>();

  constructor(logLines = 1000, logIntervalMs = 10_000) {
    this.logs = new LogStore(logLines, logIntervalMs);
  }

  exitPlan(sim: PodSim, c: ContainerSim, profile: Profile): ExitPlan | undefined {
    return exitPlan(sim, c, profile);
  }

  start(sim: PodSim, c: ContainerSim, at: number): void {
    this.logs.started(sim.pod, c.name, c.image, c.restartCount, at);
  }

  stop(sim: PodSim, c: ContainerSim, at: number): void {
    this.logs.note(sim.namespace, sim.name, c.name, at, 'kubesim: received SIGTERM, shutting down');
  }

  ended(sim: PodSim, c: ContainerSim, at: number): void {
    this.logs.ended(sim.namespace, sim.name, c.name, at, `kubesim: container ${c.name} exited with code ${c.exitCode ?? 0}`);
  }

  adopt(sim: PodSim, c: ContainerSim): void {
    if (c.startedAt !== undefined) this.logs.started(sim.pod, c.name, c.image, c.restartCount, c.startedAt);
  }

  remove(sim: PodSim): void {
    this.logs.forgetPod(sim.namespace, sim.name);
  }

  log(namespace: string, pod: string, container: string, previous: boolean): ContainerLog | undefined {
    return this.logs.get(namespace, pod, container, previous);
  }

  usage(sim: PodSim, c: ContainerSim, now: number): ContainerUsage {
    const startedAt = c.startedAt!;
    let m = this.meters.get(c);
    if (!m) {
      const spec = containerSpec(sim.pod, c) ?? { name: c.name };
      m = { model: usageModel(sim.pod, spec, `${sim.uid}/${c.name}`), t: startedAt, nanos: 0 };
      this.meters.set(c, m);
    }
    if (m.t < startedAt) {
      m.t = startedAt; // a new instance: cumulative counters restart
      m.nanos = 0;
    }
    m.nanos += cpuIntegralNanos(m.model, startedAt, m.t, now);
    m.t = Math.max(m.t, now);
    const u = usageAt(m.model, startedAt, now);
    return { name: c.name, milliCpu: u.milliCpu, memory: u.memory, cpuNanos: m.nanos, startedAt };
  }
}
