// The end-to-end suite of a shared backend (run by haproxy-postgres.test.ts and haproxy-etcd.test.ts):
// three API servers behind HAProxy serve kubectl and the cluster's components; one replica is
// killed with kill -9 mid-rollout and the rollout completes; each of the backend's faults (a Redis
// restart, a PostgreSQL restart, an etcd member stopped) heals. Throughout, a writer creates
// ConfigMaps through HAProxy and a reflector (list + watch, resume, relist on 410) watches them:
// at the end every acknowledged write is stored and reached the watcher, none out of order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually.ts';
import { startReflector, type Reflector } from '../helpers/reflector.ts';
import { deployment, startAckWriter, startReplicatedCluster, type AckWriter, type ReplicatedCluster } from './replicated.ts';

export interface Backend<S> {
  /** --storage/--events arguments of the replicas. */
  storageArgs: string[];
  /** What the faults act on (the private servers). */
  servers: S;
  stop(): Promise<void>;
}

export interface Fault<S> {
  /** Test title: `<name> heals without a lost or reordered event`. */
  name: string;
  inject(servers: S): Promise<void>;
}

const T = 60_000;

/** backend: its private servers, started (undefined when they or HAProxy/kubectl are missing: the tests skip). */
export function runReplicatedSuite<S>(name: string, backend: Backend<S> | undefined, faults: Fault<S>[]): void {
  let c: ReplicatedCluster | undefined;
  let writer: AckWriter | undefined;
  // Three watchers: HAProxy's round robin spreads them, so the killed replica very likely serves one.
  let watchers: Reflector[] = [];
  let killedAt = 0;
  const skip = () => !backend && 'haproxy, kubectl or the backend servers are missing';
  const withLogs = (e: Error) => Promise.reject(new Error(`${e.message}\n${c?.logs() ?? ''}`));

  before(async () => {
    if (!backend) return;
    c = await startReplicatedCluster({ storageArgs: backend.storageArgs });
    watchers = [0, 1, 2].map(() => startReflector(c!.admin, '/api/v1/namespaces/default/configmaps'));
    writer = startAckWriter(c, 'ack');
  });
  after(async () => {
    for (const w of watchers) w.stop();
    await writer?.stop();
    await c?.close();
    await backend?.stop();
  });

  /** Waits until the writer has `more` acknowledged writes beyond now and the watcher accounts for all. */
  async function writesFlowAndArrive(more: number, what: string): Promise<void> {
    const target = writer!.acked.size + more;
    await eventually(() => writer!.acked.size >= target, `${more} more acknowledged writes ${what}`, 40_000, 50).catch(withLogs);
    await allArrived(what);
  }
  async function allArrived(what: string): Promise<void> {
    await eventually(() => watchers.every((w) => [...writer!.acked].every(([n, rv]) => w.accounted(n, rv))), `every watcher has every acknowledged write ${what}`, 20_000, 50).catch(withLogs);
    assert.deepEqual(watchers.flatMap((w) => w.reordered), [], 'no event out of resourceVersion order');
  }

  test(`${name}: kubectl and the components work through HAProxy`, { skip: skip(), timeout: T }, async () => {
    await eventually(async () => (await c!.kubectl(['get', 'nodes', '-o', 'name'], 10_000).catch(() => '')).trim().split('\n').filter(Boolean).length === 3, '3 nodes registered', 40_000, 300).catch(withLogs);
    const eps = await c!.kubectlJson(['get', 'endpoints', 'kubernetes']);
    assert.deepEqual(eps.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port)).sort(), [...c!.ports].sort(), 'every replica in the kubernetes Endpoints');
    fs.writeFileSync(path.join(c!.dir, 'web-v1.json'), JSON.stringify(deployment('nginx:1.0')));
    await c!.kubectl(['apply', '-f', path.join(c!.dir, 'web-v1.json')]);
    await c!.kubectl(['rollout', 'status', 'deployment/web', '--timeout=45s'], 50_000).catch(withLogs);
    await writesFlowAndArrive(10, 'through HAProxy');
  });

  test(`${name}: kill -9 of one replica mid-rollout; the rollout completes through the others`, { skip: skip(), timeout: T }, async () => {
    fs.writeFileSync(path.join(c!.dir, 'web-v2.json'), JSON.stringify(deployment('nginx:2.0')));
    await c!.kubectl(['apply', '-f', path.join(c!.dir, 'web-v2.json')]);
    // Polled with plain GETs (a kubectl process per poll is slower than a step of the rollout).
    await eventually(async () => {
      const d: any = await (await c!.fetch('/apis/apps/v1/namespaces/default/deployments/web')).json();
      return (d.status?.updatedReplicas ?? 0) >= 1 && (d.status?.updatedReplicas ?? 0) < 4;
    }, 'the rollout under way', 30_000, 20);
    killedAt = watchers[0].lastRv();
    c!.kill(0);
    process.stdout.write('# killed replica 0 mid-rollout\n');
    await c!.kubectl(['rollout', 'status', 'deployment/web', '--timeout=40s'], 45_000).catch(withLogs);
    const d = await c!.kubectlJson(['get', 'deployment', 'web']);
    assert.equal(d.status.updatedReplicas, 4);
    assert.equal(d.status.availableReplicas, 4);
    const pods = await c!.kubectlJson(['get', 'pods', '-l', 'app=web']);
    const running = pods.items.filter((p: any) => !p.metadata.deletionTimestamp && p.spec.containers[0].image === 'nginx:2.0' && p.status.phase === 'Running');
    assert.equal(running.length, 4, 'four new pods running');
    await writesFlowAndArrive(10, 'after the kill');
    // The dead replica leaves the kubernetes Endpoints within its lease.
    await eventually(async () => {
      const e = await c!.kubectlJson(['get', 'endpoints', 'kubernetes'], 10_000);
      return JSON.stringify(e.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port)).sort()) === JSON.stringify(c!.ports.slice(1).sort());
    }, 'the killed replica gone from the Endpoints', 15_000, 200);
  });

  for (const fault of faults) {
    test(`${name}: ${fault.name} heals without a lost or reordered event`, { skip: skip(), timeout: T }, async () => {
      await writesFlowAndArrive(5, `before ${fault.name}`);
      await fault.inject(backend!.servers);
      await writesFlowAndArrive(15, `after ${fault.name}`);
      const statuses = [...writer!.failed.keys()].filter((s) => s !== 'error' && s !== 500 && s !== 503 && s !== 504 && s !== 429);
      assert.deepEqual(statuses, [], 'a refused write is a 5xx (or 429) Status, never a client error');
    });
  }

  test(`${name}: the killed replica restarts and rejoins; a watch on it from before its start gets 410 and relists`, { skip: skip(), timeout: T }, async () => {
    await c!.restart(0);
    await eventually(async () => {
      const e = await c!.kubectlJson(['get', 'endpoints', 'kubernetes'], 10_000);
      return JSON.stringify(e.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port)).sort()) === JSON.stringify([...c!.ports].sort());
    }, 'the restarted replica back in the Endpoints', 20_000, 200);
    // An informer that last saw killedAt resumes on the restarted replica, whose watch cache starts later.
    const late = startReflector({ ...c!.admin, server: `https://127.0.0.1:${c!.ports[0]}` }, '/api/v1/namespaces/default/configmaps', { resumeFrom: killedAt });
    watchers.push(late);
    await eventually(() => late.gone >= 1 && late.relists.length >= 1, 'the watch from before the restart answered 410 and relisted', 20_000, 50);
    await writesFlowAndArrive(10, 'with the restarted replica');
  });

  test(`${name}: after every fault the components still work, every acknowledged write is stored and reached the watchers in order`, { skip: skip(), timeout: T }, async () => {
    await c!.kubectl(['scale', 'deployment/web', '--replicas=5']);
    await c!.kubectl(['rollout', 'status', 'deployment/web', '--timeout=40s'], 45_000).catch(withLogs);
    await writer!.stop();
    const cms = await c!.kubectlJson(['get', 'configmaps']);
    const have = new Map<string, number>(cms.items.map((o: any) => [o.metadata.name, Number(o.metadata.resourceVersion)]));
    const lost = [...writer!.acked].filter(([n, rv]) => have.get(n) !== rv).map(([n]) => n);
    assert.deepEqual(lost, [], 'every acknowledged write is stored');
    await allArrived('at the end');
    await eventually(() => watchers.every((w) => [...writer!.acked.keys()].every((n) => w.state.has(n))), "every write in each watcher's store", 10_000, 50);
    const failed = [...writer!.failed].map(([s, n]) => `${n}×${s}`).join(' ') || 'none';
    const seen = watchers.map((w) => `${w.events.length} events/${w.resumes} resumes/${w.gone} relists after 410`).join(', ');
    process.stdout.write(`# ${writer!.acked.size} writes acknowledged (refused while something was down: ${failed}); watchers: ${seen}\n`);
  });
}
