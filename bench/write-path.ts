// CPU per write on the writes a cluster makes most (issues 19 and 21): the ReplicaSet controller's pod
// create, the scheduler's pods/binding and events.k8s.io/v1 Event, the kubelet's pod status patch
// (strategic merge on pods/status) and core/v1 Event, kubesim's node pool's pods/status PUT, and the
// kubelet's Lease renewal (PUT with a new renewTime) — each with 0 and with W watchers on pods.
//
//   node --import tsx bench/write-path.ts [--mode lean|http|both] [--n 2000] [--concurrency 16] [--watchers 3]
//        [--store sqlite|memory]  (http mode: the server's store; memory separates SQLite's share)
//        [--prof DIR]  (http mode: the server process writes a --cpu-prof profile into DIR)
//
// lean: one process as `kubesim simulate` runs it — the API server on the memory store, the client
//   on the in-process lean transport (src/client/lean.ts), watchers in the same process; the CPU is
//   the whole process's (client request building + server + watchers' decoding), per write.
// http: a server process as `kubesim apiserver --insecure` starts it (SQLite in a temp data dir,
//   HTTP, no authentication) and this process as the client; the CPU is the server process's only
//   (it reports process.cpuUsage() over IPC), so the watch fan-out is what the server pays.
// Each phase: N writes, C in flight; CPU = user+system µs over the phase / N. A warm-up round first.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client, inProcessTransport } from '../src/client/index.ts';
import { EVENTS, LEASES, NAMESPACES, PODS } from '../src/api/core/refs.ts';
import { arg } from './util.ts';

const N = Number(arg('n', '2000'));
const C = Number(arg('concurrency', '16'));
const W = Number(arg('watchers', '3'));
const MODE = arg('mode', 'both');
const STORE = arg('store', 'sqlite');

const EVENTS_V1 = { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };

interface Cpu {
  /** µs of user+system CPU so far. */
  read(): Promise<number>;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const micro = () => new Date().toISOString().replace('Z', '000Z');

/** A ReplicaSet controller's pod: labels, ownerReference, a container with resources, probes, env (~2 KB). */
function rsPod(ns: string, i: number): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7d4b9c8f6-${i}`,
      namespace: ns,
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '7d4b9c8f6' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-01T10:00:00Z' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f6', uid: '2b1c1f0e-5d7a-4c8e-9f51-6a0b3e2d9c11', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.k8s.io/nginx-slim:0.27',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config', defaultMode: 420 } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  };
}

/** The kubelet's strategic merge patch of pods/status when the pod's containers start (Running, Ready). */
function kubeletStatusPatch(uid: string, i: number): any {
  const t = now();
  const types = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  return {
    metadata: { uid },
    status: {
      $setElementOrder$conditions: types.map((type) => ({ type })),
      conditions: types.slice(0, 4).map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t })),
      containerStatuses: [
        {
          name: 'web',
          state: { running: { startedAt: t } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'registry.k8s.io/nginx-slim:0.27',
          imageID: 'registry.k8s.io/nginx-slim@sha256:8a3d1d0b0f1c4e2a9e0f6b7c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e',
          containerID: `containerd://${i.toString(16).padStart(64, '0')}`,
          started: true,
        },
      ],
      hostIP: '10.0.0.7',
      hostIPs: [{ ip: '10.0.0.7' }],
      phase: 'Running',
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      podIPs: [{ ip: `10.244.${(i >> 8) & 255}.${i & 255}` }],
      startTime: t,
    },
  };
}

/** $setElementOrder/conditions: the key Kubernetes' strategic merge patch uses (a '/' in a JS literal). */
const fixPatch = (p: any) => JSON.parse(JSON.stringify(p).replace('$setElementOrder$conditions', '$setElementOrder/conditions'));

function kubeletEvent(ns: string, pod: string, uid: string, i: number): any {
  const t = now();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod}.${(0x17a000000 + i).toString(16)}`, namespace: ns },
    involvedObject: { kind: 'Pod', namespace: ns, name: pod, uid, apiVersion: 'v1', resourceVersion: '1', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: 'Container image "registry.k8s.io/nginx-slim:0.27" already present on machine',
    source: { component: 'kubelet', host: 'node-7' },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: 'node-7',
  };
}

function schedulerEvent(ns: string, pod: string, uid: string, i: number): any {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${pod}.${(0x18b000000 + i).toString(16)}`, namespace: ns },
    eventTime: micro(),
    reportingController: 'default-scheduler',
    reportingInstance: 'default-scheduler-kubesim',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: ns, name: pod, uid, apiVersion: 'v1', resourceVersion: '1' },
    note: `Successfully assigned ${ns}/${pod} to node-7`,
    type: 'Normal',
  };
}

/** Runs f(i) for i < n with C in flight; returns µs of CPU per call and calls/s. */
async function phase(cpu: Cpu, n: number, f: (i: number) => Promise<unknown>, after?: (n: number) => Promise<void>): Promise<{ us: number; rate: number }> {
  let next = 0;
  const c0 = await cpu.read();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < n) await f(next++);
    }),
  );
  await after?.(n);
  const dt = performance.now() - t0;
  const c1 = await cpu.read();
  return { us: (c1 - c0) / n, rate: (n / dt) * 1000 };
}

type Row = { op: string; watchers: number; us: number; rate: number };

/** One round in a fresh namespace: every op N times, with `watchers` pod watches open. */
async function round(client: Client, cpu: Cpu, ns: string, n: number, watchers: number): Promise<Row[]> {
  const pods = client.resource(PODS);
  const leases = client.resource(LEASES);
  await client.resource(NAMESPACES).create({ metadata: { name: ns } } as any);
  // watches from now (no initial ADDED events), each counting the pod events it has read
  const rv = (await pods.list({ limit: 1 })).metadata.resourceVersion;
  const streams = [];
  const seen = new Array<number>(watchers).fill(0);
  for (let k = 0; k < watchers; k++) {
    const w = await pods.watch({ resourceVersion: rv });
    streams.push(w);
    void (async () => {
      for await (const ev of w) if (ev.type !== 'BOOKMARK') seen[k]++;
    })().catch((e) => console.error('watch:', e));
  }
  // a pod phase ends when every watcher has read its events (the lean transport delivers them once the loop turns)
  let podWrites = 0;
  const delivered = async (n: number) => {
    podWrites += n;
    const t0 = performance.now();
    while (seen.some((x) => x < podWrites)) {
      if (performance.now() - t0 > 60_000) throw new Error(`watchers read ${seen.join(',')} of ${podWrites} events`);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  // leases to renew (setup, not measured)
  const held: any[] = [];
  await phase({ read: async () => 0 }, n, async (i) => {
    held[i] = await leases.create({ metadata: { name: `${ns}-node-${i}` }, spec: { holderIdentity: `${ns}-node-${i}`, leaseDurationSeconds: 40, renewTime: micro() } } as any, { namespace: 'kube-node-lease' });
  });
  const rows: Row[] = [];
  const add = (op: string, r: { us: number; rate: number }) => rows.push({ op, watchers, ...r });
  const uids: string[] = [];
  const latest: any[] = [];
  add('pod create (ReplicaSet, ownerRef, ~2 KB)', await phase(cpu, n, async (i) => {
    const p: any = await pods.create(rsPod(ns, i), { namespace: ns });
    uids[i] = p.metadata.uid;
  }, delivered));
  add('pods/binding create (scheduler)', await phase(cpu, n, (i) =>
    pods.createSubresource(`web-7d4b9c8f6-${i}`, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: `web-7d4b9c8f6-${i}`, namespace: ns, uid: uids[i] }, target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % 50}` } }, { namespace: ns }),
  delivered));
  add('events.k8s.io/v1 Event create (scheduler)', await phase(cpu, n, (i) => client.resource(EVENTS_V1).create(schedulerEvent(ns, `web-7d4b9c8f6-${i}`, uids[i], i), { namespace: ns })));
  add('pod status strategic PATCH (kubelet)', await phase(cpu, n, async (i) => {
    latest[i] = await pods.patchSubresource(`web-7d4b9c8f6-${i}`, 'status', fixPatch(kubeletStatusPatch(uids[i], i)), { type: 'strategic', namespace: ns });
  }, delivered));
  add('pod status PUT (kubesim node pool)', await phase(cpu, n, (i) => {
    const p = latest[i];
    return pods.updateStatus({ ...p, status: { ...p.status, conditions: p.status.conditions.map((c: any) => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'ContainersNotReady', lastTransitionTime: now() } : c)) } }, { namespace: ns });
  }, delivered));
  add('core/v1 Event create (kubelet)', await phase(cpu, n, (i) => client.resource(EVENTS).create(kubeletEvent(ns, `web-7d4b9c8f6-${i}`, uids[i], i), { namespace: ns })));
  add('Lease renew (PUT, new renewTime)', await phase(cpu, n, async (i) => {
    const l = held[i];
    held[i] = await leases.update({ ...l, spec: { ...l.spec, renewTime: micro() } }, { namespace: 'kube-node-lease' });
  }));
  for (const w of streams) w.close();
  return rows;
}

async function run(mode: 'lean' | 'http'): Promise<Row[]> {
  let client: Client;
  let cpu: Cpu;
  let stop: () => Promise<void>;
  if (mode === 'lean') {
    const api = await startApiServer({ port: 0, logger: pino({ level: 'warn' }) });
    client = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server), qps: 0 });
    cpu = { read: async () => { const u = process.cpuUsage(); return u.user + u.system; } };
    stop = () => api.close();
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-write-path-'));
    const prof = arg('prof', '');
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', path.join(dir, 'data'), ...(STORE === 'memory' ? ['--memory'] : [])], {
      execArgv: ['--import', 'tsx', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    });
    const ask = <T>(m: string, pick: (x: any) => T | undefined) =>
      new Promise<T>((resolve) => {
        const on = (x: any) => {
          const v = pick(x);
          if (v !== undefined) { child.off('message', on); resolve(v); }
        };
        child.on('message', on);
        if (m) child.send(m);
      });
    const url = await ask('', (x) => x.url as string | undefined);
    client = new Client({ server: url, qps: 0, maxSockets: C + W + 2 });
    cpu = { read: () => ask('cpu', (x) => (x.cpu ? x.cpu.user + x.cpu.system : undefined)) };
    stop = async () => {
      const gone = new Promise((r) => child.once('exit', r));
      child.send('stop');
      await gone;
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    await round(client, cpu, `${mode}-warm`, Math.min(N, 500), 0);
    return [...(await round(client, cpu, `${mode}-w0`, N, 0)), ...(await round(client, cpu, `${mode}-w${W}`, N, W))];
  } finally {
    await stop();
  }
}

async function main(): Promise<void> {
  console.log(`write-path: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), loadavg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`  ${N} writes per op, ${C} in flight; watchers on pods (all namespaces): 0 and ${W}; git ${gitHead()}`);
  for (const mode of MODE === 'both' ? (['lean', 'http'] as const) : [MODE as 'lean' | 'http']) {
    const rows = await run(mode);
    console.log(mode === 'lean'
      ? '\nlean: in-process transport, memory store — CPU of the whole process (client + server + watchers) per write'
      : `\nhttp: \`kubesim apiserver\`-like server process, ${STORE === 'memory' ? 'memory store' : 'SQLite data dir (synchronous=FULL)'}, HTTP — CPU of the server process per write`);
    console.log(`  ${'op'.padEnd(44)} ${'µs/write w=0'.padStart(13)} ${`µs/write w=${W}`.padStart(13)} ${'writes/s w=0'.padStart(13)}`);
    const ops = [...new Set(rows.map((r) => r.op))];
    for (const op of ops) {
      const a = rows.find((r) => r.op === op && r.watchers === 0)!;
      const b = rows.find((r) => r.op === op && r.watchers === W)!;
      console.log(`  ${op.padEnd(44)} ${a.us.toFixed(0).padStart(13)} ${b.us.toFixed(0).padStart(13)} ${a.rate.toFixed(0).padStart(13)}`);
    }
  }
  console.log(`\nloadavg at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine: compare figures within one run)`);
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: path.dirname(fileURLToPath(import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

// ---- the server process (http mode) ----
if (process.argv.includes('--serve')) {
  const dataDir = arg('serve', '');
  const api = await startApiServer({ port: 0, ...(process.argv.includes('--memory') ? {} : { dataDir }), logger: pino({ level: 'warn' }) });
  process.send!({ url: api.url });
  process.on('message', async (m: string) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'stop') {
      await api.close();
      process.exit(0);
    }
  });
} else {
  await main();
}
