// CPU and allocation of one API request on the in-process path `kubesim simulate` uses (issues 21
// and 19): client (rest.ts) → lean exchange (lean.ts / inprocess.ts) → the API server's listener →
// the REST handlers → the watch cache over the memory store → the watch fan-out to informers. The
// requests are the day scenario's most frequent ones (PodMetrics `list pods` excepted: its own bench).
//
//   node --import tsx bench/request-path.ts [--n 3000] [--concurrency 8] [--objects 200] [--only OP]
//        [--profile FILE.cpuprofile]  (a CPU profile of the measured phases only, 0.5 ms sampling)
//        [--heap-profile FILE.heapprofile]  (sampled allocations of the measured phases, every 4 KB)
//        [--readonly true]  (the writes the day run makes read-only ask so here too: leases, events, pods/status)
//
// One process, as simulate runs it: startApiServer on the memory store (no data dir) with a
// VirtualClock, a Client on inProcessTransport(api.server, { clock }) with qps Infinity, and the
// informers the cluster keeps on the written resources (leases: 1; pods: 3; replicasets: 2;
// horizontalpodautoscalers: 1; deployments: 2), each with stripManagedFields as the components use.
// Per request type: N requests with C in flight, then until every informer saw every write; CPU =
// process.cpuUsage() µs / N; allocation = bytes the heap grew by plus bytes each GC freed (v8's
// GCProfiler), / N. A warm-up round of every op first.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import v8 from 'node:v8';
import pino from 'pino';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client, inProcessTransport, SharedInformer, stripManagedFields } from '../src/client/index.ts';
import { DEPLOYMENTS, EVENTS, HPAS, LEASES, NAMESPACES, PODS, REPLICASETS } from '../src/api/core/refs.ts';
import { VirtualClock } from '../src/clock/index.ts';
import { arg } from './util.ts';

const N = Number(arg('n', '3000'));
const C = Number(arg('concurrency', '8'));
const OBJECTS = Number(arg('objects', '200'));
const ONLY = arg('only', '');
const PROFILE = arg('profile', '');
const HEAP_PROFILE = arg('heap-profile', '');
/** The node pool's Lease and pod status writes and the event writes ask for read-only answers (RequestOptions.readonly). */
const RO = { readonly: arg('readonly', 'false') === 'true' };


const clock = new VirtualClock({ speed: 'max' });
// the virtual clock stands still here (nothing runs it): the objects' own times tick per call instead
let tick = Date.UTC(2026, 11, 1);
const micro = () => new Date((tick += 7)).toISOString().replace('Z', '000Z');
const sec = () => new Date((tick += 1000)).toISOString().replace(/\.\d+Z$/, 'Z');

const labels = (i: number) => ({ app: `web-${i}` });
const template = (i: number) => ({
  metadata: { labels: labels(i) },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

/** Bytes allocated so far: heap growth plus what every GC freed. */
class Alloc {
  private freed = 0;
  private readonly prof = new v8.GCProfiler();
  private readonly base = v8.getHeapStatistics().used_heap_size;
  constructor() {
    this.prof.start();
  }
  read(): number {
    const r = this.prof.stop();
    for (const s of r.statistics) this.freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    this.prof.start();
    return v8.getHeapStatistics().used_heap_size - this.base + this.freed;
  }
}

type Op = { name: string; run: (i: number) => Promise<unknown>; watched?: SharedInformer[] };

async function main(): Promise<void> {
  const api = await startApiServer({ clock, logger: pino({ level: 'warn' }) });
  const client = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server, { clock }), qps: Infinity, clock });
  // the clock only moves when told; nothing here waits on timers
  const ns = 'bench';
  await client.resource(NAMESPACES).create({ metadata: { name: ns } } as any);
  const pods = client.resource(PODS).inNamespace(ns);
  const leases = client.resource(LEASES).inNamespace('kube-node-lease');
  const deployments = client.resource(DEPLOYMENTS).inNamespace(ns);
  const replicasets = client.resource(REPLICASETS).inNamespace(ns);
  const hpas = client.resource(HPAS).inNamespace(ns);
  const events = client.resource(EVENTS).inNamespace(ns);

  const held = { lease: [] as any[], rs: [] as any[], pod: [] as any[], hpa: [] as any[] };
  for (let i = 0; i < OBJECTS; i++) {
    held.lease[i] = await leases.create({ metadata: { name: `node-${i}` }, spec: { holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: micro() } } as any);
    const d: any = await deployments.create({ metadata: { name: `web-${i}`, labels: labels(i) }, spec: { replicas: 2, selector: { matchLabels: labels(i) }, template: template(i) } } as any);
    const hash = `7d4b9c8f${(i % 10).toString()}`;
    held.rs[i] = await replicasets.create({
      metadata: {
        name: `web-${i}-${hash}`,
        labels: { ...labels(i), 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3', 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 2, selector: { matchLabels: { ...labels(i), 'pod-template-hash': hash } }, template: { ...template(i), metadata: { labels: { ...labels(i), 'pod-template-hash': hash } } } },
    } as any);
    const rs = held.rs[i];
    held.pod[i] = await pods.create({
      metadata: {
        name: `web-${i}-${hash}-abcde`,
        labels: { ...labels(i), 'pod-template-hash': hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...template(i).spec, nodeName: `node-${i}` },
    } as any);
    held.hpa[i] = await hpas.create({
      metadata: { name: `web-${i}` },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `web-${i}` },
        minReplicas: 2,
        maxReplicas: 20,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      },
    } as any);
  }

  // the cluster's informers on the written resources
  const informer = (rt: any, namespace?: string) => new SharedInformer(client, rt, { namespace, transform: stripManagedFields as any, clock });
  const inf = {
    leases: [informer(LEASES, 'kube-node-lease')],
    pods: [informer(PODS), informer(PODS), informer(PODS)],
    rs: [informer(REPLICASETS), informer(REPLICASETS)],
    hpa: [informer(HPAS)],
    deployments: [informer(DEPLOYMENTS), informer(DEPLOYMENTS)],
  };
  const all = Object.values(inf).flat();
  for (const x of all) x.start();
  for (const x of all) await x.waitForCacheSync();

  const podStatus = (i: number, n: number) => ({
    phase: 'Running',
    hostIP: '10.0.0.7',
    podIP: `10.244.${i >> 8}.${i & 255}`,
    startTime: sec(),
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: n % 2 === 0 || type !== 'Ready' ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: sec() })),
    containerStatuses: [{ name: 'app', state: { running: { startedAt: sec() } }, lastState: {}, ready: n % 2 === 0, restartCount: n, image: 'registry.k8s.io/pause:3.9', imageID: 'registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097', containerID: `containerd://${n.toString(16).padStart(64, '0')}`, started: true }],
    qosClass: 'Burstable',
  });
  let evs = 0;
  const ops: Op[] = [
    {
      name: 'update leases',
      watched: inf.leases,
      run: async (i) => {
        const k = i % OBJECTS;
        const l = held.lease[k];
        return (held.lease[k] = await leases.update({ ...l, spec: { ...l.spec, renewTime: micro() } }, RO));
      },
    },
    { name: 'get deployments/scale', run: (i) => deployments.getSubresource(`web-${i % OBJECTS}`, 'scale') },
    {
      name: 'update horizontalpodautoscalers/status',
      watched: inf.hpa,
      run: async (i) => {
        const k = i % OBJECTS;
        const h = held.hpa[k];
        return (held.hpa[k] = await hpas.updateStatus({
          ...h,
          status: {
            lastScaleTime: sec(),
            currentReplicas: 2 + (i % 3),
            desiredReplicas: 2 + (i % 3),
            currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 + (i % 50), averageValue: `${40 + (i % 50)}m` } } }],
            conditions: [
              { type: 'AbleToScale', status: 'True', lastTransitionTime: sec(), reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
              { type: 'ScalingActive', status: 'True', lastTransitionTime: sec(), reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' },
              { type: 'ScalingLimited', status: 'False', lastTransitionTime: sec(), reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
            ],
          },
        }));
      },
    },
    {
      name: 'create events',
      run: (i) => {
        const k = i % OBJECTS;
        const t = sec();
        return events.create({
          metadata: { name: `web-${k}.${(0x17a000000 + evs++).toString(16)}` },
          involvedObject: { kind: 'HorizontalPodAutoscaler', namespace: ns, name: `web-${k}`, uid: held.hpa[k].metadata.uid, apiVersion: 'autoscaling/v2', resourceVersion: '1' },
          reason: 'SuccessfulRescale',
          message: `New size: ${2 + (i % 3)}; reason: cpu resource utilization (percentage of request) above target`,
          source: { component: 'horizontal-pod-autoscaler' },
          firstTimestamp: t,
          lastTimestamp: t,
          count: 1,
          type: 'Normal',
          eventTime: null,
          reportingComponent: 'horizontal-pod-autoscaler',
          reportingInstance: '',
        } as any, RO);
      },
    },
    {
      name: 'update replicasets/status',
      watched: inf.rs,
      run: async (i) => {
        const k = i % OBJECTS;
        const r = held.rs[k];
        const n = 2 + (i % 2);
        return (held.rs[k] = await replicasets.updateStatus({ ...r, status: { replicas: n, fullyLabeledReplicas: n, readyReplicas: n - (i % 2), availableReplicas: n - (i % 2), observedGeneration: r.metadata.generation } }));
      },
    },
    {
      name: 'update pods/status',
      watched: inf.pods,
      run: async (i) => {
        const k = i % OBJECTS;
        const p = held.pod[k];
        return (held.pod[k] = await pods.updateStatus({ ...p, status: podStatus(k, i) }, RO));
      },
    },
  ];

  const alloc = new Alloc();
  /** Every informer of the op has seen the latest revision written (the lean exchange delivers once the loop turns). */
  const caughtUp = async (watched: SharedInformer[] | undefined, rv: () => string) => {
    if (!watched) return;
    for (let spins = 0; ; spins++) {
      const want = Number(rv());
      if (watched.every((w) => Number(w.lastSyncResourceVersion()) >= want && w.pendingNotifications() === 0)) return;
      if (spins > 1e6) throw new Error(`informers did not catch up: want ${want}, have ${watched.map((w) => w.lastSyncResourceVersion() + '/' + w.pendingNotifications()).join(' ')}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  let lastRv = 0;
  const latestRv = () => String(lastRv);
  const phase = async (op: Op, n: number) => {
    let next = 0;
    lastRv = 0;
    const a0 = alloc.read();
    const c0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < n) {
          const o: any = await op.run(next++);
          const rv = Number(o?.metadata?.resourceVersion ?? 0);
          if (rv > lastRv) lastRv = rv;
        }
      }),
    );
    await caughtUp(op.watched, latestRv);
    const c = process.cpuUsage(c0);
    const a1 = alloc.read();
    return { us: (c.user + c.system) / n, kb: (a1 - a0) / n / 1024 };
  };

  const chosen = ONLY ? ops.filter((o) => o.name.includes(ONLY)) : ops;
  for (const op of chosen) await phase(op, Math.min(N, 1000)); // warm-up
  console.log(`request-path: node ${process.version}, ${os.cpus().length} cores, loadavg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${N} requests per op, ${C} in flight, ${OBJECTS} objects per kind`);
  console.log(`  ${'request'.padEnd(40)} ${'µs CPU/req'.padStart(11)} ${'KB alloc/req'.padStart(13)} watchers`);
  const session = PROFILE || HEAP_PROFILE ? new Session() : undefined;
  session?.connect();
  if (session && PROFILE) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  // samples of what is allocated, including what the GC has already collected by the end
  if (session && HEAP_PROFILE) await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  let sumUs = 0;
  let sumKb = 0;
  for (const op of chosen) {
    const r = await phase(op, N);
    sumUs += r.us;
    sumKb += r.kb;
    console.log(`  ${op.name.padEnd(40)} ${r.us.toFixed(1).padStart(11)} ${r.kb.toFixed(1).padStart(13)} ${op.watched?.length ?? 0}`);
  }
  if (session && PROFILE) writeFileSync(PROFILE, JSON.stringify((await session.post('Profiler.stop')).profile));
  if (session && HEAP_PROFILE) writeFileSync(HEAP_PROFILE, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
  session?.disconnect();
  console.log(`  ${'mean of the ops'.padEnd(40)} ${(sumUs / chosen.length).toFixed(1).padStart(11)} ${(sumKb / chosen.length).toFixed(1).padStart(13)}`);
  console.log(`loadavg at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine: compare figures within one run)`);
  for (const x of all) await x.stop();
  await api.close();
  clock.stop();
}

await main();
