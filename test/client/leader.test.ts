// Leader election with candidates in separate processes (test/client/fixtures/leader-candidate.ts)
// on the real API server, each through its own proxy: never two leaders at once (checked on the
// intervals each process reports), kill -9 of the leader → a new leader within leaseDuration +
// retryPeriod (+ tolerance), SIGTERM → handover in under 2 s, and a leader cut off from the API
// server stops leading before anyone else starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { startApiServer } from '../../src/apiserver/index.ts';
import { ChaosProxy } from './proxy.ts';
import { eventually } from '../helpers/eventually.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/leader-candidate.ts', import.meta.url));
const LEASE = 3;
const RENEW = 2;
const RETRY = 0.5;
const TOLERANCE_MS = 600;

interface Ev {
  t: number;
  id: string;
  event: string;
  leader?: string;
}

class Candidate {
  readonly events: Ev[] = [];
  id = '';
  proc: ChildProcess;
  killedAt?: number;
  constructor(readonly proxy: ChaosProxy) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, proxy.url, 'le-test', String(LEASE), String(RENEW), String(RETRY)], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      try {
        const e = JSON.parse(l) as Ev;
        this.id = e.id;
        this.events.push(e);
      } catch {
        /* not ours */
      }
    });
  }
  last(event: string): Ev | undefined {
    return [...this.events].reverse().find((e) => e.event === event);
  }
  leading(): boolean {
    const s = this.last('started');
    const st = this.last('stopped');
    return !!s && (!st || st.t < s.t) && this.killedAt === undefined && this.proc.exitCode === null;
  }
  /** [start, end] intervals it believed it led; a killed process led until its kill. */
  intervals(now: number): [number, number][] {
    const out: [number, number][] = [];
    let start: number | undefined;
    for (const e of this.events) {
      if (e.event === 'started') start = e.t;
      if (e.event === 'stopped' && start !== undefined) {
        out.push([start, e.t]);
        start = undefined;
      }
    }
    if (start !== undefined) out.push([start, this.killedAt ?? now]);
    return out;
  }
}

function assertAtMostOneLeader(cs: Candidate[]): void {
  const now = Date.now();
  const all = cs.flatMap((c) => c.intervals(now).map(([a, b]) => ({ id: c.id, a, b })));
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      const x = all[i];
      const y = all[j];
      assert.ok(!(x.a < y.b && y.a < x.b), `two leaders at once: ${x.id} [${x.a},${x.b}] and ${y.id} [${y.a},${y.b}]`);
    }
  // and sampled every 10 ms over the whole run
  const t0 = Math.min(...all.map((x) => x.a));
  for (let t = t0; t <= now; t += 10) assert.ok(all.filter((x) => x.a <= t && t < x.b).length <= 1, `more than one leader at ${t}`);
}

test('leader election across processes: one leader, kill -9 failover, SIGTERM handover, cut-off leader steps down first', async () => {
  const server = await startApiServer({ port: 0, logger: pino({ level: 'silent' }) });
  const proxies: ChaosProxy[] = [];
  const cs: Candidate[] = [];
  const spawnCandidate = async () => {
    const p = await new ChaosProxy(server.port).start();
    proxies.push(p);
    const c = new Candidate(p);
    cs.push(c);
    return c;
  };
  try {
    for (let i = 0; i < 3; i++) await spawnCandidate();
    await eventually(() => cs.every((c) => c.last('ready')), 'candidates ready', 30_000);

    // 1. exactly one leader; the others see it
    const a = await eventually(() => cs.find((c) => c.leading()), 'a first leader', 20_000);
    await eventually(() => cs.filter((c) => c !== a).every((c) => c.last('leader')?.leader === a.id), 'standbys observe the leader');
    assert.equal(cs.filter((c) => c.leading()).length, 1);

    // 2. kill -9: a standby takes over within leaseDuration + retryPeriod (+ tolerance)
    a.killedAt = Date.now();
    a.proc.kill('SIGKILL');
    const b = await eventually(() => cs.find((c) => c !== a && c.leading()), 'failover after kill -9', 15_000);
    const failoverMs = b.last('started')!.t - a.killedAt;
    assert.ok(failoverMs <= (LEASE + RETRY) * 1000 + TOLERANCE_MS, `failover took ${failoverMs} ms`);
    const c = cs.find((x) => x !== a && x !== b)!;
    await eventually(() => c.last('leader')?.leader === b.id, 'standby observes the new leader');

    // 3. SIGTERM: the leader releases the lease and the standby takes over in under 2 s
    const termAt = Date.now();
    b.proc.kill('SIGTERM');
    await eventually(() => c.leading(), 'handover after SIGTERM', 10_000);
    const handoverMs = c.last('started')!.t - termAt;
    assert.ok(handoverMs < 2000, `graceful handover took ${handoverMs} ms`);
    await eventually(() => b.last('exit'), 'terminated candidate exits');
    assert.ok(b.last('stopped')!.t <= c.last('started')!.t, 'the old leader stopped before the new one started');

    // 4. a leader cut off from the API server stops leading (renewDeadline) before a standby starts
    const d = await spawnCandidate();
    await eventually(() => d.last('leader')?.leader === c.id, 'new standby observes the leader', 30_000);
    c.proxy.block();
    const dStart = await eventually(() => d.leading() && d.last('started'), 'takeover from a cut-off leader', 15_000);
    const cStop = c.last('stopped');
    assert.ok(cStop, 'the cut-off leader reported it stopped leading');
    assert.ok(cStop.t < dStart.t, `cut-off leader stopped at ${cStop.t}, new leader started at ${dStart.t}`);
    assert.ok(cStop.t - c.last('started')!.t > 0);

    assertAtMostOneLeader(cs);
    console.log(`# failover after kill -9: ${failoverMs} ms; SIGTERM handover: ${handoverMs} ms; cut-off leader stepped down ${dStart.t - cStop.t} ms before the takeover`);
  } finally {
    for (const c of cs) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    await Promise.all(cs.map((c) => (c.proc.exitCode !== null || c.proc.signalCode ? undefined : new Promise((r) => c.proc.once('exit', r)))));
    for (const p of proxies) await p.close();
    await server.close();
  }
});

test('in-process: racing candidates (conflicts lose), the Lease record, metrics, release on stop', async () => {
  const { Client, LeaderElector, LEASES } = await import('../../src/client/index.ts');
  const { Registry } = await import('prom-client');
  const server = await startApiServer({ port: 0, logger: pino({ level: 'silent' }) });
  const client = new Client({ server: server.url, qps: 0 });
  const reg = new Registry();
  const started: string[] = [];
  const les = Array.from({ length: 5 }, (_, i) =>
    new LeaderElector({
      client,
      name: 'race',
      identity: `cand-${i}`,
      leaseDurationSeconds: 3,
      renewDeadlineSeconds: 2,
      retryPeriodSeconds: 0.5,
      metricsRegistry: reg,
      callbacks: { onStartedLeading: () => void started.push(`cand-${i}`) },
    }),
  );
  try {
    for (const le of les) le.start(); // all race to create/acquire the same Lease
    await eventually(() => started.length > 0, 'a leader');
    const leader = les.find((l) => l.isLeader())!;
    assert.equal(les.filter((l) => l.isLeader()).length, 1);
    const lease = await client.resource(LEASES).get('race', { namespace: 'kube-system' });
    assert.equal(lease.spec.holderIdentity, leader.identity);
    assert.equal(lease.spec.leaseDurationSeconds, 3);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');
    const gauge = await reg.getSingleMetric('leader_election_master_status')!.get();
    assert.equal(gauge.values.find((v) => v.labels.name === 'race')?.value, 1);
    await eventually(() => les.filter((l) => l !== leader).every((l) => l.getLeader() === leader.identity), 'all observe the leader');
    await leader.stop();
    assert.equal(leader.isLeader(), false);
    // released, or already taken over by a standby
    const after = await client.resource(LEASES).get('race', { namespace: 'kube-system' });
    assert.notEqual(after.spec.holderIdentity, leader.identity);
    const next = await eventually(() => les.find((l) => l.isLeader()), 'a standby takes the released lease', 5000);
    assert.notEqual(next, leader);
    assert.equal(started.length, 2, 'exactly two leadership starts');
    const t = await client.resource(LEASES).get('race', { namespace: 'kube-system' });
    assert.equal(t.spec.leaseTransitions, 1);
  } finally {
    await Promise.all(les.map((l) => l.stop()));
    client.close();
    await server.close();
  }
  assert.throws(() => new LeaderElector({ client, name: 'x', leaseDurationSeconds: 2, renewDeadlineSeconds: 2, callbacks: { onStartedLeading() {} } }), /leaseDuration must be greater/);
});
