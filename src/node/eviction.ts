// The kubelet's eviction manager under simulated node pressure (kubesim.io/memory-pressure,
// kubesim.io/disk-pressure): one running pod evicted every evictionIntervalSeconds, BestEffort
// before Burstable before Guaranteed, the largest memory user first; critical pods are exempt.
import type { KubeObject } from '../api/types.ts';
import type { PodEntry, PoolContext, SimNode } from './context.ts';
import { podQOSClass } from '../api/core/index.ts';
import { failPod, type StepResult } from './lifecycle.ts';
import { desiredConditions } from './nodeobj.ts';
import { isActive, type PodRuntime } from './podruntime.ts';

const rank = { BestEffort: 0, Burstable: 1, Guaranteed: 2 } as const;

export class EvictionManager {
  constructor(
    private readonly ctx: PoolContext,
    private readonly pods: PodRuntime,
  ) {}

  private get intervalMs(): number {
    return (this.ctx.opts.evictionIntervalSeconds ?? 10) * 1000;
  }

  /** The node's status was written: under memory/disk pressure, start the eviction rounds. */
  watch(sn: SimNode): void {
    const want = desiredConditions(sn.node);
    if (want.MemoryPressure !== 'True' && want.DiskPressure !== 'True') return;
    if (this.ctx.timers.dueAt(sn.evictTimer) === undefined) this.ctx.timers.schedule(sn.evictTimer, this.ctx.clock.now() + this.intervalMs);
  }

  /** An eviction round is due (timer): evict one pod, and come back while the pressure lasts. */
  evictOne(sn: SimNode): void {
    const { ctx } = this;
    if (sn.partitioned) return;
    const want = desiredConditions(sn.node);
    const resource = want.MemoryPressure === 'True' ? 'memory' : want.DiskPressure === 'True' ? 'ephemeral-storage' : undefined;
    if (!resource) return;
    const now = ctx.clock.now();
    const candidates = [...sn.pods]
      .map((k) => ctx.pods.get(k))
      .filter((e): e is PodEntry => !!e && isActive(e.sim) && e.sim.deletingAt === undefined && !isCritical(e.sim.pod))
      .map((e) => {
        const usage = this.pods.podUsage(e.sim, now);
        const top = usage.reduce((a, b) => (b.memory > a.memory ? b : a), usage[0]);
        return { e, qos: rank[podQOSClass(e.sim.pod.spec)], memory: usage.reduce((n, u) => n + u.memory, 0), top };
      })
      .sort((a, b) => a.qos - b.qos || b.memory - a.memory);
    const victim = candidates[0];
    if (victim) {
      const spec = victim.top ? victim.e.sim.pod.spec?.containers?.find((c: any) => c.name === victim.top.name) : undefined;
      const request = spec?.resources?.requests?.[resource] ?? '0';
      const using = resource === 'memory' ? `${Math.round((victim.top?.memory ?? 0) / 1024)}Ki` : '0';
      const message =
        `The node was low on resource: ${resource}. Threshold quantity: ${resource === 'memory' ? '100Mi' : '10%'}, available: ${resource === 'memory' ? '51200Ki' : '0'}. ` +
        (victim.top ? `Container ${victim.top.name} was using ${using}, request is ${request}, has larger consumption of ${resource}. ` : '');
      const r: StepResult = { events: [], changed: false, transitions: [] };
      failPod(victim.e.sim, now, 'Evicted', message, r, { type: 'DisruptionTarget', reason: 'TerminationByKubelet' });
      ctx.metrics.podsEvicted.inc();
      this.pods.applyResult(victim.e, r);
    }
    ctx.timers.schedule(sn.evictTimer, now + this.intervalMs);
  }
}

function isCritical(pod: KubeObject): boolean {
  const pc = pod.spec?.priorityClassName;
  return pc === 'system-node-critical' || pc === 'system-cluster-critical';
}
