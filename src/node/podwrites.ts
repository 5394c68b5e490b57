// Pod status writes, as the kubelet's status manager does them: the status the simulation says,
// written through the writer (coalesced per pod), kept when the stored one already says it, and
// re-asserted when someone else's write left the stored one saying otherwise (drift.ts). A
// partitioned node's writes wait for the partition to heal. Once a deleted pod's containers have
// stopped, the pod is removed (gracePeriodSeconds 0, uid precondition).
import { StatusError } from '../api/errors.ts';
import { PODS, rvNewer, type PodEntry, type PoolContext } from './context.ts';
import { statusDrifted, withForeignConditions } from './drift.ts';
import { buildPodStatus, readyToRemove } from './lifecycle.ts';
import { Priority } from './writer.ts';

/**
 * A status's JSON as a short digest (length and two 32-bit hashes) for "already written?": a pod
 * keeps this instead of a copy of the whole JSON (~2.5 KB a pod at 150,000 pods). Pure.
 */
export function statusDigest(json: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `${json.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

export class PodStatusWrites {
  /** Pods whose first Running status was written (pod startup latency is observed once). */
  private readonly firstRunning = new Set<string>();

  constructor(private readonly ctx: PoolContext) {}

  enqueue(e: PodEntry): void {
    if (e.node.partitioned) {
      (e.node.deferred ??= new Set()).add(e.key);
      return;
    }
    this.ctx.writer.enqueue(Priority.Pod, e, () => this.write(e));
  }

  /** The pod is gone. */
  forget(e: PodEntry): void {
    this.firstRunning.delete(e.key);
  }

  /** The informer's copy is newer than our last write (or we never wrote): someone else wrote it. */
  storedIsForeign(e: PodEntry): boolean {
    return e.rv === undefined || Number(e.sim.pod.metadata.resourceVersion) > Number(e.rv) || !Number.isFinite(Number(e.rv));
  }

  /** Someone else's write left the stored status saying otherwise than ours in the fields we own. */
  drifted(e: PodEntry, desired: any = buildPodStatus(e.sim)): boolean {
    return this.storedIsForeign(e) && statusDrifted(desired, e.sim.pod.status);
  }

  private async write(e: PodEntry): Promise<void> {
    const { ctx } = this;
    const pods = ctx.client.resource(PODS);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (ctx.pods.get(e.key) !== e || e.removing) return;
      const desired = buildPodStatus(e.sim);
      const digest = statusDigest(JSON.stringify(desired));
      try {
        if (digest !== e.lastWritten || this.drifted(e, desired)) {
          const status = withForeignConditions(desired, e.sim.pod.status);
          // Our last write may be newer than the informer's copy: send its resourceVersion (and keep
          // only that, not a second copy of the pod).
          const rv = e.rv && !rvNewer(e.sim.pod, { metadata: { resourceVersion: e.rv } }) ? e.rv : e.sim.pod.metadata.resourceVersion;
          // a read-only answer (no copy in process): only its resourceVersion is read
          const written = await pods.updateStatus({ ...e.sim.pod, metadata: { ...e.sim.pod.metadata, resourceVersion: rv }, status }, { readonly: true });
          e.rv = written.metadata.resourceVersion;
          e.lastWritten = digest;
          ctx.metrics.podStatusWrites.inc();
          if (status.phase === 'Running' && !this.firstRunning.has(e.key)) {
            this.firstRunning.add(e.key);
            const created = Date.parse(e.sim.pod.metadata.creationTimestamp ?? '');
            if (Number.isFinite(created)) ctx.metrics.podStartup.observe(Math.max(0, ctx.clock.now() - created) / 1000);
          }
        }
        if (e.sim.deletingAt !== undefined && readyToRemove(e.sim)) {
          e.removing = true;
          // the answer (the pod's last state) is not read: read-only, no copy in process
          await pods.delete(e.sim.name, { namespace: e.sim.namespace, gracePeriodSeconds: 0, preconditions: { uid: e.sim.uid }, readonly: true });
          ctx.metrics.podsRemoved.inc();
        }
        return;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) {
          if (e.removing) return; // uid precondition failed: a different pod now; nothing to remove
          try {
            // read as the informer's frozen pods are: read-only
            e.sim.pod = await pods.get(e.sim.name, { namespace: e.sim.namespace, readonly: true });
            e.rv = undefined;
          } catch (g) {
            if (g instanceof StatusError && g.code === 404) return;
            throw g;
          }
          if (e.sim.pod.metadata.uid !== e.sim.uid) return;
          continue;
        }
        if (err instanceof StatusError && err.code === 404) return; // already gone
        throw err;
      }
    }
  }
}
