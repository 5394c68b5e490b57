// The node pool's default runtime: containers the process runtime handles (Node.js images running
// node) are real processes, every other container is simulated exactly as before.
import type { ContainerSim, ExitPlan, PodSim } from '../podsim.ts';
import type { Profile } from '../profile.ts';
import type { ContainerLog, ContainerRuntime, ContainerUsage, ExitListener, ReadinessListener } from '../runtime.ts';
import type { ProcessRuntime } from './runtime.ts';

export class DispatchingRuntime implements ContainerRuntime {
  constructor(
    readonly processes: ProcessRuntime,
    readonly simulated: ContainerRuntime,
  ) {}

  private pick(sim: PodSim, c: ContainerSim): ContainerRuntime {
    return this.processes.handles(sim, c) ? this.processes : this.simulated;
  }

  exitPlan(sim: PodSim, c: ContainerSim, profile: Profile): ExitPlan | undefined {
    return this.pick(sim, c).exitPlan(sim, c, profile);
  }
  start(sim: PodSim, c: ContainerSim, at: number): void | Promise<void> {
    return this.pick(sim, c).start(sim, c, at);
  }
  stop(sim: PodSim, c: ContainerSim, at: number): void {
    this.pick(sim, c).stop(sim, c, at);
  }
  ended(sim: PodSim, c: ContainerSim, at: number): void {
    this.pick(sim, c).ended(sim, c, at);
  }
  adopt(sim: PodSim, c: ContainerSim): void {
    this.pick(sim, c).adopt(sim, c);
  }
  remove(sim: PodSim): void {
    this.processes.remove(sim);
    this.simulated.remove(sim);
  }
  log(namespace: string, pod: string, container: string, previous: boolean): ContainerLog | undefined {
    if (this.processes.hasLogs(namespace, pod, container)) return this.processes.log(namespace, pod, container, previous);
    return this.simulated.log(namespace, pod, container, previous);
  }
  usage(sim: PodSim, c: ContainerSim, now: number): ContainerUsage {
    return this.pick(sim, c).usage(sim, c, now);
  }
  isReal(sim: PodSim, c: ContainerSim): boolean {
    return this.processes.handles(sim, c) || (this.simulated.isReal?.(sim, c) ?? false);
  }
  onExit(listener: ExitListener): void {
    this.processes.onExit(listener);
    this.simulated.onExit?.(listener);
  }
  onReadiness(listener: ReadinessListener): void {
    this.processes.onReadiness(listener);
    this.simulated.onReadiness?.(listener);
  }
  spawnIn(sim: PodSim, c: ContainerSim, command: string[]) {
    return this.processes.handles(sim, c) ? this.processes.spawnIn(sim, c, command) : undefined;
  }
  attach(sim: PodSim, c: ContainerSim) {
    return this.processes.handles(sim, c) ? this.processes.attach(sim, c) : undefined;
  }
  async close(): Promise<void> {
    await Promise.all([this.processes.close(), this.simulated.close?.()]);
  }
}
