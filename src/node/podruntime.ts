// The pod runtime: every pod bound to one of the pool's nodes, from the pod informer to its status.
// It takes a pod on (adopts what a previous run of the pool wrote, or admits it as the kubelet's
// predicateAdmitHandler does and gives it an IP), steps its simulation when the timer queue says a
// stage is due, drives its containers through the ContainerRuntime, emits its Events and has its
// status written (podwrites.ts).
import { metaNamespaceKey } from '../api/core/index.ts';
import type { KubeObject } from '../api/types.ts';
import { admitPod } from './admission.ts';
import { rvNewer, type PodEntry, type PoolContext, type SimNode } from './context.ts';
import type { EventSink } from './eventsink.ts';
import { adoptPodSim, markDeleting, newPodSim, podPhase, probedReadiness, readyToRemove, rejectedPodSim, step, updateConditions, type ExitPlanner, type PodSim, type StepResult } from './lifecycle.ts';
import { buildNode, podIPIn } from './nodeobj.ts';
import type { ContainerSim } from './podsim.ts';
import { PodStatusWrites, statusDigest } from './podwrites.ts';
import type { ContainerRuntime, ContainerUsage, ExitDetail } from './runtime.ts';
import { FAILED_MOUNT_REPEAT_MS, unmountedVolumes, VOLUME_RECHECK_MS } from './volumes.ts';

export class PodRuntime {
  readonly writes: PodStatusWrites;
  private readonly plan: ExitPlanner;

  constructor(
    private readonly ctx: PoolContext,
    private readonly containers: ContainerRuntime,
    private readonly events: EventSink,
  ) {
    this.writes = new PodStatusWrites(ctx);
    this.plan = (sim, c, profile) => {
      if (containers.isReal?.(sim, c)) c.real = true;
      return containers.exitPlan(sim, c, profile);
    };
    containers.onExit?.((sim, c, code, at, detail) => this.exited(sim, c, code, at, detail));
    containers.onReadiness?.((sim, c, ready, at, message) => {
      const e = this.entryOf(sim);
      if (e) this.applyResult(e, probedReadiness(sim, c, ready, at, message));
    });
  }

  /** The informer added or updated a bound pod. */
  onPod(pod: KubeObject): void {
    const { ctx } = this;
    const nodeName = pod.spec?.nodeName;
    const key = metaNamespaceKey(pod);
    let entry = ctx.pods.get(key);
    if (entry && entry.sim.uid !== pod.metadata.uid) {
      this.forget(entry); // same name, new pod
      entry = undefined;
    }
    const sn = nodeName ? ctx.nodes.get(nodeName) : undefined;
    if (!sn) return;
    const now = ctx.clock.now();
    if (!entry) {
      entry = this.admit(pod, key, sn, now);
      ctx.pods.set(key, entry);
      sn.pods.add(key);
      ctx.metrics.podsAdmitted.inc();
    } else if (rvNewer(pod, entry.sim.pod)) {
      entry.sim.pod = pod;
      if (this.writes.storedIsForeign(entry)) entry.recheck = true;
    }
    if (pod.metadata.deletionTimestamp && entry.sim.deletingAt === undefined) {
      markDeleting(entry.sim, now, pod.metadata.deletionGracePeriodSeconds);
    }
    ctx.timers.schedule(entry, now);
  }

  onPodDelete(pod: KubeObject): void {
    const e = this.ctx.pods.get(metaNamespaceKey(pod));
    if (e && e.sim.uid === pod.metadata.uid) this.forget(e);
  }

  private admit(pod: KubeObject, key: string, sn: SimNode, now: number): PodEntry {
    const { ctx } = this;
    const st = pod.status ?? {};
    const started = !!(st.startTime || st.containerStatuses?.length || st.phase === 'Succeeded' || st.phase === 'Failed');
    if (started) {
      // Written by a previous run of the pool (or terminal): adopt, don't replay.
      const sim = adoptPodSim(pod, now, sn.ip, ctx.profile, this.plan);
      const entry: PodEntry = { timer: 'pod', key, node: sn, sim, lastWritten: statusDigest(JSON.stringify(st)), volumesReady: true };
      if (sim.podIP && sim.podIP !== sn.ip) {
        const n = Number(sim.podIP.split('.')[3]) - 2;
        if (n >= 0) {
          sn.usedIPs.add(n);
          entry.ipIndex = n;
        }
      }
      for (const c of sim.containers) {
        if (c.state === 'Running' && c.startedAt !== undefined) this.containers.adopt(sim, c);
        if (c.containerID) sn.images.add(c.image); // the node still has the images it ran
      }
      return entry;
    }
    const others = [...sn.pods].map((k) => ctx.pods.get(k)).filter((e): e is PodEntry => !!e && isActive(e.sim)).map((e) => e.sim.pod);
    const nodeObj = sn.node ?? buildNode(sn.name, sn.index, ctx.shape, now);
    const verdict = admitPod(pod, nodeObj, others);
    if (verdict) {
      const sim = rejectedPodSim(pod, now, sn.ip, verdict.reason, verdict.message);
      this.events.podEvent(sim, sn, { type: 'Warning', reason: verdict.reason, message: verdict.message, at: now });
      ctx.metrics.podsRejected.inc();
      return { timer: 'pod', key, node: sn, sim };
    }
    let ipIndex: number | undefined;
    let podIP = sn.ip;
    if (!pod.spec?.hostNetwork) {
      ipIndex = 0;
      while (sn.usedIPs.has(ipIndex) && ipIndex < 252) ipIndex++;
      sn.usedIPs.add(ipIndex);
      podIP = podIPIn(sn.cidr, ipIndex);
    }
    const volumesReady = !ctx.claim || !(pod.spec?.volumes as any[] | undefined)?.some((v) => v?.persistentVolumeClaim);
    return { timer: 'pod', key, node: sn, sim: newPodSim(pod, now, sn.ip, podIP, ctx.profile, this.plan), ipIndex, volumesReady };
  }

  private forget(e: PodEntry): void {
    const { ctx } = this;
    if (ctx.pods.get(e.key) !== e) return;
    ctx.pods.delete(e.key);
    e.node.pods.delete(e.key);
    if (e.ipIndex !== undefined) e.node.usedIPs.delete(e.ipIndex);
    ctx.timers.cancel(e);
    this.writes.forget(e);
    this.containers.remove(e.sim);
  }

  /** A stage of the pod is due (timer). */
  step(e: PodEntry): void {
    if (this.ctx.pods.get(e.key) !== e) return;
    const now = this.ctx.clock.now();
    const first = e.lastWritten === undefined;
    const recheck = e.recheck && !first;
    e.recheck = false;
    if (!e.volumesReady && this.waitForVolumes(e, now)) {
      this.applyResult(e, { events: [], changed: false, transitions: [], nextAt: now + VOLUME_RECHECK_MS }, first);
      return;
    }
    const r = step(e.sim, now, this.ctx.profile, e.node.images);
    // Re-assert our status when someone else's write left the stored one saying otherwise.
    this.applyResult(e, r, first || (recheck && !r.changed && this.writes.drifted(e)));
  }

  /**
   * True while a live pod's claims are not all Bound (a FailedMount event says why, repeated as the
   * kubelet repeats it). Once they are, the containers' first stages count from now.
   */
  private waitForVolumes(e: PodEntry, now: number): boolean {
    if (e.sim.terminal || e.sim.deletingAt !== undefined || !this.ctx.claim) {
      e.volumesReady = true;
      return false;
    }
    const message = unmountedVolumes(e.sim.pod, (ns, n) => this.ctx.claim!(ns, n));
    if (message === undefined) {
      e.volumesReady = true;
      e.mountTold = undefined;
      e.sim.mountPending = undefined;
      for (const c of e.sim.containers) if (c.state === 'Waiting' && c.startedAt === undefined && c.restartCount === 0) c.enteredAt = now;
      return false;
    }
    e.sim.mountPending = true;
    if (!e.mountTold || e.mountTold.message !== message || now - e.mountTold.at >= FAILED_MOUNT_REPEAT_MS) {
      e.mountTold = { message, at: now };
      this.events.podEvent(e.sim, e.node, { type: 'Warning', reason: 'FailedMount', message, at: now });
    }
    return true;
  }

  /** Containers, events, the status write (always when `force`) and the next wake-up for a step's result. */
  applyResult(e: PodEntry, r: StepResult, force = false): void {
    for (const t of r.transitions) {
      const c = t.container;
      if (t.to === 'Running') this.started(e, c, this.containers.start(e.sim, c, t.at));
      else if (t.to === 'Stopping') this.containers.stop(e.sim, c, t.at);
      else if (t.to === 'Terminated' && (t.from === 'Running' || t.from === 'Stopping')) this.containers.ended(e.sim, c, t.at);
      if (t.to === 'Running') this.ctx.metrics.containerStarts.inc();
    }
    for (const ev of r.events) this.events.podEvent(e.sim, e.node, ev);
    if (r.changed || force || (e.sim.deletingAt !== undefined && readyToRemove(e.sim))) this.writes.enqueue(e);
    if (r.nextAt !== undefined) this.ctx.timers.schedule(e, r.nextAt);
  }

  /**
   * A real container's postStart hook runs (c.hookPending, set by its start): once the runtime says
   * it returned, the instance counts as started and its status is written.
   */
  private started(e: PodEntry, c: ContainerSim, hook: void | Promise<void>): void {
    if (!c.hookPending) return;
    const instance = c.restartCount;
    void Promise.resolve(hook)
      .catch(() => {})
      .then(() => {
        // an instance whose exit was reported (a failed hook kills it) never counts as started
        if (c.restartCount !== instance || !c.hookPending || c.exit?.reported) return;
        c.hookPending = undefined;
        if (this.ctx.pods.get(e.key) !== e) return;
        const now = this.ctx.clock.now();
        updateConditions(e.sim, now);
        this.writes.enqueue(e);
        this.ctx.timers.schedule(e, now);
      });
  }

  /** The partition of `sn` healed: write what waited. */
  flushDeferred(sn: SimNode): void {
    for (const key of sn.deferred ?? []) {
      const e = this.ctx.pods.get(key);
      if (e) this.writes.enqueue(e);
    }
    sn.deferred = undefined;
  }

  /** Current usage of each running container of a pod (a one-container pod's in a one-slot array, not a grown one). */
  podUsage(sim: PodSim, now: number): ContainerUsage[] {
    const cs = sim.containers;
    if (cs.length === 1) return isRunning(cs[0]) ? [this.containers.usage(sim, cs[0], now)] : [];
    const out: ContainerUsage[] = [];
    for (const c of cs) if (isRunning(c)) out.push(this.containers.usage(sim, c, now));
    return out;
  }

  /** The container runtime reports an exit it did not plan: the instance exits now, by the profile's exit (or stop) stage. */
  private exited(sim: PodSim, c: ContainerSim, code: number, at: number, detail?: ExitDetail): void {
    const e = this.entryOf(sim);
    if (!e || (c.state !== 'Running' && c.state !== 'Stopping') || c.startedAt === undefined) return;
    const { event, ...rest } = detail ?? {};
    if (event) this.events.podEvent(sim, e.node, { type: 'Warning', ...event, fieldPath: `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`, at });
    c.exit = { afterMs: Math.max(0, at - c.startedAt), code, reported: true, ...rest };
    this.ctx.timers.schedule(e, this.ctx.clock.now());
  }

  private entryOf(sim: PodSim): PodEntry | undefined {
    const e = this.ctx.pods.get(metaNamespaceKey(sim.pod));
    return e && e.sim === sim ? e : undefined;
  }
}

/** A container instance that runs (or stops): it has usage. */
function isRunning(c: ContainerSim): boolean {
  return (c.state === 'Running' || c.state === 'Stopping') && c.startedAt !== undefined;
}

/** Admitted and not terminal: it counts against the node's resources. */
export function isActive(sim: PodSim): boolean {
  if (sim.rejected) return false;
  const p = podPhase(sim);
  return p !== 'Succeeded' && p !== 'Failed';
}
