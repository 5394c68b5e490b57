// Leader election on coordination.k8s.io/v1 Leases, after client-go tools/leaderelection:
// acquire/renew by optimistic concurrency (update carrying resourceVersion; a conflict is a lost
// race), expiry judged by the candidate's own clock from when it last saw the record change,
// a leader that cannot renew within renewDeadline stops leading (renewDeadline < leaseDuration,
// so before anyone else may take the lease), and release on clean shutdown.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import { isStatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client, ResourceClient } from './rest.ts';
import { LEASES } from '../api/core/refs.ts';
import type { Clock } from '../clock/index.ts';
import { leaderMetrics } from './metrics.ts';

export { LEASES };

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderCallbacks {
  /** Called on becoming leader; signal aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when leadership ends (lost or released), before the lease is released. */
  onStoppedLeading?(): void;
  /** Called when the observed leader changes (including to ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectorOptions {
  client: Client;
  /** Lease name, e.g. "kube-scheduler". */
  name: string;
  /** Lease namespace (default "kube-system"). */
  namespace?: string;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
  /** Seconds; fractional allowed (the Lease stores the ceiling). Defaults 15 / 10 / 2. */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Acquire retries wait retryPeriod * (1 + random * jitter); default 0.2 (client-go uses 1.2). */
  jitter?: number;
  /** Release the lease when stopped cleanly (default true). */
  releaseOnCancel?: boolean;
  /** After losing leadership, compete again (default true; client-go's Run returns instead). */
  reacquire?: boolean;
  callbacks: LeaderCallbacks;
  metricsRegistry?: Registry;
  /** Lease times, renewals and retries (default: the client's clock). */
  clock?: Clock;
  logger?: { info?(o: object, msg?: string): void; warn?(o: object, msg?: string): void };
}

/** Lease MicroTime: RFC 3339 with microseconds. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly leases: ResourceClient<Lease>;
  private readonly ns: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;
  private observedLeader = '';
  /** The record as last seen (holder + renewTime + RV) and when (local clock) it last changed. */
  private observedKey = '';
  private observedTime = 0;
  /** Read-only answers (no copy in process): only read, and spread into the next write. */
  private observedLease?: Lease;
  private readonly stopCtl = new AbortController();
  private runPromise?: Promise<void>;
  private readonly metrics: ReturnType<typeof leaderMetrics>;
  private readonly clock: Clock;

  constructor(readonly opts: LeaderElectorOptions) {
    this.clock = opts.clock ?? opts.client.clock;
    this.identity = opts.identity ?? defaultIdentity();
    this.ns = opts.namespace ?? 'kube-system';
    this.leases = opts.client.resource<Lease>(LEASES);
    this.leaseMs = (opts.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = (opts.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (opts.retryPeriodSeconds ?? 2) * 1000;
    if (this.leaseMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.metrics = leaderMetrics(opts.metricsRegistry);
    this.metrics.master.set({ name: opts.name }, 0);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The identity holding the lease as last observed ('' if none). */
  getLeader(): string {
    return this.observedLeader;
  }

  /** Starts competing in the background (idempotent). */
  start(): void {
    this.runPromise ??= this.run(this.stopCtl.signal);
  }

  /** Stops: ends leadership (callback), releases the lease if held, resolves when done. */
  async stop(): Promise<void> {
    this.stopCtl.abort();
    await this.runPromise;
  }

  /** Competes until the signal aborts (and, with reacquire false, until leadership is lost once). */
  async run(signal: AbortSignal = this.stopCtl.signal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) return;
      const leaderCtl = new AbortController();
      this.setLeading(true);
      Promise.resolve()
        .then(() => this.opts.callbacks.onStartedLeading(leaderCtl.signal))
        .catch((e) => this.opts.logger?.warn?.({ err: String(e) }, 'onStartedLeading failed'));
      await this.renewLoop(signal);
      leaderCtl.abort();
      this.setLeading(false);
      try {
        this.opts.callbacks.onStoppedLeading?.();
      } catch (e) {
        this.opts.logger?.warn?.({ err: String(e) }, 'onStoppedLeading failed');
      }
      if (signal.aborted) {
        if (this.opts.releaseOnCancel ?? true) await this.release();
        return;
      }
      if (this.opts.reacquire === false) return;
    }
  }

  private setLeading(v: boolean): void {
    this.leading = v;
    this.metrics.master.set({ name: this.opts.name }, v ? 1 : 0);
    this.opts.logger?.info?.({ lease: `${this.ns}/${this.opts.name}`, identity: this.identity }, v ? 'became leader' : 'stopped leading');
  }

  /** Retries (jittered retryPeriod) until the lease is ours; false if aborted. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal, this.renewDeadlineMs)) return true;
      try {
        await this.clock.sleep(this.retryMs * (1 + Math.random() * (this.opts.jitter ?? 0.2)), signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal could not succeed within renewDeadline, or on abort. */
  private async renewLoop(signal: AbortSignal): Promise<void> {
    let lastRenewStart = this.lastSuccessStart;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(this.retryMs, signal);
      } catch {
        return;
      }
      const deadline = lastRenewStart + this.renewDeadlineMs;
      for (;;) {
        const remaining = deadline - this.clock.now();
        if (remaining <= 0) return;
        const start = this.clock.now();
        if (await this.tryAcquireOrRenew(signal, remaining)) {
          lastRenewStart = start;
          break;
        }
        if (signal.aborted) return;
        if (this.clock.now() + this.retryMs >= deadline) return;
        try {
          await this.clock.sleep(this.retryMs, signal);
        } catch {
          return;
        }
      }
    }
  }

  private lastSuccessStart = 0;

  /** One attempt (client-go tryAcquireOrRenew). Bounded by timeoutMs so a hung request cannot outlive renewDeadline. */
  private async tryAcquireOrRenew(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const start = this.clock.now();
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimeout(() => ctl.abort(), Math.max(1, timeoutMs));
    try {
      const now = new Date(this.clock.now());
      const spec = (old?: LeaseSpec): LeaseSpec => ({
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        acquireTime: old?.holderIdentity === this.identity && old.acquireTime ? old.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: old ? (old.holderIdentity === this.identity ? old.leaseTransitions ?? 0 : (old.leaseTransitions ?? 0) + 1) : 0,
      });
      let lease: Lease;
      try {
        lease = await this.leases.get(this.opts.name, { namespace: this.ns, signal: ctl.signal, readonly: true });
      } catch (e) {
        if (!isStatusError(e, 404)) return false;
        const created = await this.leases.create(
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.ns }, spec: spec() },
          { signal: ctl.signal, readonly: true },
        );
        this.observe(created);
        this.lastSuccessStart = start;
        return true;
      }
      this.observe(lease);
      const s = lease.spec ?? {};
      const holder = s.holderIdentity ?? '';
      const durMs = (s.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== '' && holder !== this.identity && this.expiryBase(s, durMs) + durMs > this.clock.now()) return false;
      if (this.leading && holder !== this.identity) return false;
      const updated = await this.leases.update({ ...lease, spec: spec(s) }, { namespace: this.ns, signal: ctl.signal, readonly: true });
      this.observe(updated);
      this.lastSuccessStart = start;
      return true;
    } catch {
      // conflict (lost race), timeout, network: not acquired this round
      return false;
    } finally {
      this.clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * When the holder's lease started counting, by our clock. client-go uses the moment we saw the
   * record change; that is safe under any clock skew but late by our polling delay. The record's
   * renewTime is earlier, so it is trusted only down to observedTime - (leaseDuration - renewDeadline):
   * the holder, who wrote it before we saw it, stops leading renewDeadline after writing, so the
   * expiry stays after that instant whatever the clocks say.
   */
  private expiryBase(s: LeaseSpec, durMs: number): number {
    const renewMs = Date.parse(s.renewTime ?? '');
    if (!Number.isFinite(renewMs)) return this.observedTime;
    const slack = Math.max(0, durMs - this.renewDeadlineMs);
    return Math.min(this.observedTime, Math.max(renewMs, this.observedTime - slack));
  }

  private observe(lease: Lease): void {
    const s = lease.spec ?? {};
    const key = `${s.holderIdentity ?? ''}|${s.renewTime ?? ''}|${s.leaseDurationSeconds ?? ''}|${s.acquireTime ?? ''}`;
    if (key !== this.observedKey) {
      this.observedKey = key;
      this.observedTime = this.clock.now();
    }
    this.observedLease = lease;
    const holder = s.holderIdentity ?? '';
    if (holder !== this.observedLeader) {
      this.observedLeader = holder;
      if (holder) this.opts.callbacks.onNewLeader?.(holder);
    }
  }

  /** Gives the lease up at once (holder "", duration 1 s) so a standby can take over. */
  private async release(): Promise<void> {
    const lease = this.observedLease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    try {
      const now = microTime(new Date(this.clock.now()));
      const updated = await this.leases.update(
        {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
        },
        { namespace: this.ns, signal: AbortSignal.timeout(Math.max(1000, this.retryMs)), readonly: true },
      );
      this.observe(updated);
    } catch (e) {
      this.opts.logger?.warn?.({ err: String(e) }, 'failed to release lease');
    }
  }
}
