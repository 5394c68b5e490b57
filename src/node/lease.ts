// Node heartbeats: each node's Lease kube-node-lease/<node>, renewed every heartbeatSeconds through
// the writer at its highest priority. Each renewal is due one period after the previous *due* time
// (no drift), the first one offset by the node's position in the pool so renewals spread evenly.
import { StatusError } from '../api/errors.ts';
import { KUBELET_DEFAULTS, LEASES, type PoolContext, type SimNode } from './context.ts';
import { buildLease, LEASE_NAMESPACE, microTime } from './nodeobj.ts';
import { Priority } from './writer.ts';

export class LeaseAgent {
  constructor(private readonly ctx: PoolContext) {}

  get heartbeatMs(): number {
    return (this.ctx.opts.heartbeatSeconds ?? KUBELET_DEFAULTS.heartbeatSeconds) * 1000;
  }

  private get durationSeconds(): number {
    return this.ctx.opts.leaseDurationSeconds ?? KUBELET_DEFAULTS.leaseDurationSeconds;
  }

  /** Renewals begin: the first is due `phase` (0, 1] of a period from now. */
  start(sn: SimNode, phase: number): void {
    sn.leaseDueAt = this.ctx.clock.now() + Math.max(1, Math.floor(phase * this.heartbeatMs));
    this.ctx.timers.schedule(sn.leaseTimer, sn.leaseDueAt);
  }

  /** A renewal is due (timer). */
  renew(sn: SimNode): void {
    const { ctx } = this;
    const due = sn.leaseDueAt;
    ctx.metrics.leaseLag.observe(Math.max(0, ctx.clock.now() - due) / 1000);
    if (!sn.partitioned) this.renewNow(sn);
    // Next renewal one period after the previous due time (no drift), never in the past.
    sn.leaseDueAt = Math.max(due + this.heartbeatMs, ctx.clock.now() + this.heartbeatMs / 2);
    ctx.timers.schedule(sn.leaseTimer, sn.leaseDueAt);
  }

  /**
   * Queue a renewal now (after a partition heals, or when due). It shares the writer with the pool's
   * other writes, unless the node has gone half its lease duration without a renewal: then it goes
   * first (the node lifecycle controller marks a node Unknown once its Lease is older than its grace period).
   */
  renewNow(sn: SimNode): void {
    this.ctx.writer.enqueue(Priority.Lease, sn.leaseTimer, () => this.write(sn), leaseOverdue(sn.lastRenewAt, this.ctx.clock.now(), this.durationSeconds));
  }

  /** Creates or renews the node's Lease. */
  async write(sn: SimNode): Promise<void> {
    const { ctx } = this;
    const leases = ctx.client.resource(LEASES);
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = ctx.clock.now();
      try {
        if (!sn.lease) {
          // read-only answers (no copy in process): sn.lease is only read, and spread into the next renewal
          sn.lease = await leases.create(buildLease(sn.name, sn.node?.metadata.uid, this.durationSeconds, now), { readonly: true });
        } else {
          const next = {
            ...sn.lease,
            spec: { ...sn.lease.spec, holderIdentity: sn.name, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(now) },
          };
          sn.lease = await leases.update(next, { readonly: true });
        }
        if (sn.lastRenewAt !== undefined) sn.maxRenewGapMs = Math.max(sn.maxRenewGapMs, now - sn.lastRenewAt);
        sn.lastRenewAt = now;
        sn.renewals++;
        ctx.metrics.leaseRenewals.inc();
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) {
          sn.lease = await leases.get(sn.name, { namespace: LEASE_NAMESPACE, readonly: true });
          continue;
        }
        if (e instanceof StatusError && e.code === 404) {
          sn.lease = undefined;
          continue;
        }
        throw e;
      }
    }
  }
}

/** A node whose last renewal is half its lease duration old (or older): its next renewal is urgent. Pure. */
export function leaseOverdue(lastRenewAt: number | undefined, now: number, durationSeconds: number): boolean {
  return lastRenewAt !== undefined && now - lastRenewAt >= (durationSeconds * 1000) / 2;
}
