// The process runtime: a container whose image is a Node.js image and whose command runs `node`
// is a real child process of the node pool (command.ts says which). Each instance runs as
// `node --require preload.cjs [--max-old-space-size=<limit>] <args>` in a process group of its own,
// with the pod's environment, its workingDir and its volumes (config.ts, mapped by the preload),
// niced so a busy loop can't starve the pool; stdout/stderr are its log; its exit is reported to the
// pod runtime (onExit); a memory limit is enforced by V8's heap limit and by polling the resident
// set (OOMKilled, 137); probes run against the real program (probes.ts); usage is read from /proc.
// A crash, a busy loop or a memory blow-up ends that process only.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { constants, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { InstanceLog } from '../logs.ts';
import { containerSpec, type ContainerSim, type ExitPlan, type PodSim } from '../podsim.ts';
import type { ContainerLog, ContainerRuntime, ContainerUsage, ExitDetail, ExitListener, ReadinessListener } from '../runtime.ts';
import { isNodeImage, nodeArgs } from './command.ts';
import { ConfigError, hasContent, PodVolumes, type ConfigSource } from './config.ts';
import { launchSpec, probeContext, spawnIn, type LaunchSpec } from './launch.ts';
import type { AttachIO } from '../exec.ts';
import { eachLine } from './output.ts';
import { Prober } from './probes.ts';
import { hookFailure, runHook } from './lifecycle.ts';

/** How long a postStart hook may take before it counts as failed. */
const POST_START_TIMEOUT_MS = 120_000;
import { readProc } from './procfs.ts';
import { ServiceProxy } from './services.ts';
import type { Client } from '../../client/index.ts';

export interface ProcessRuntimeOptions {
  /** Where ConfigMaps and Secrets come from (the pool's client). */
  config: ConfigSource;
  /** Services and Endpoints for the service proxy and DNS (none without). */
  client?: Client;
  /** Images besides `node[:tag]` that are Node.js images (--runtime-images). */
  images?: string[];
  /** Pod directories go under `<dataDir>/pods`; default a fresh temporary directory, removed on close. */
  dataDir?: string;
  /** The node's allocatable (resourceFieldRef of an unset limit). */
  allocatable?: Record<string, string>;
  logLines?: number;
  /** Resident-set polling period for memory limits and usage (ms). */
  memoryPollMs?: number;
  /** How often mounted ConfigMap/Secret/downwardAPI volumes are brought up to date (ms, default 10 s). */
  volumeSyncMs?: number;
  /** Niceness of the programs (0..19). */
  nice?: number;
  now?: () => number;
  logger?: Logger;
}

/** A container's logs: the current instance and the previous one. */
interface Logs {
  current?: InstanceLog;
  previous?: InstanceLog;
}

interface Instance {
  readonly sim: PodSim;
  readonly c: ContainerSim;
  readonly restartCount: number;
  readonly log: InstanceLog;
  child?: ChildProcess;
  /** The lifecycle ended it: no report. */
  ended: boolean;
  finished: boolean;
  exited: Promise<void>;
  oom?: boolean;
  heapOom?: boolean;
  killedBy?: { probe: 'Liveness' | 'Startup'; message: string };
  /** A failed postStart hook killed it (the FailedPostStartHook message). */
  hookFailed?: string;
  poll?: NodeJS.Timeout;
  volumeSync?: NodeJS.Timeout;
  prober?: Prober;
  /** What it was started as (kubectl exec runs beside it the same way). */
  launch?: LaunchSpec;
  sample?: { t: number; cpuNanos: number };
  milliCpu: number;
  memory: number;
  cpuNanos: number;
}

export class ProcessRuntime implements ContainerRuntime {
  private readonly instances = new Map<string, Instance>();
  private readonly logs = new Map<string, Logs>();
  private readonly handled = new WeakMap<ContainerSim, boolean>();
  private exitListener?: ExitListener;
  private readinessListener?: ReadinessListener;
  private readonly dataDir: string;
  private readonly ownDataDir: boolean;
  private readonly now: () => number;
  private readonly volumes: PodVolumes;
  private closed = false;
  private hooked = false;
  private proxy?: ServiceProxy;
  private proxyReady?: Promise<void>;
  private readonly onProcessExit = () => this.killAll();

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.ownDataDir = !opts.dataDir;
    this.dataDir = opts.dataDir ?? join(tmpdir(), `kubesim-runtime-${process.pid}-${Date.now().toString(36)}`);
    this.now = opts.now ?? Date.now;
    this.volumes = new PodVolumes(opts.config, opts.allocatable ?? {});
  }

  /** This container runs as a process: a Node.js image whose command/args run node. */
  handles(sim: PodSim, c: ContainerSim): boolean {
    let h = this.handled.get(c);
    if (h === undefined) {
      const spec = containerSpec(sim.pod, c);
      h = !!spec && isNodeImage(c.image, this.opts.images) && nodeArgs(spec.command, spec.args) !== undefined;
      this.handled.set(c, h);
    }
    return h;
  }

  exitPlan(): ExitPlan | undefined {
    return undefined; // a process says when it exits
  }

  isReal(sim: PodSim, c: ContainerSim): boolean {
    return this.handles(sim, c);
  }

  onExit(listener: ExitListener): void {
    this.exitListener = listener;
  }

  onReadiness(listener: ReadinessListener): void {
    this.readinessListener = listener;
  }

  start(sim: PodSim, c: ContainerSim, at: number): void | Promise<void> {
    if (this.closed) return;
    if (!this.hooked) {
      this.hooked = true;
      process.on('exit', this.onProcessExit); // last resort: no program outlives the pool's process
      if (this.opts.client) this.startProxy(this.opts.client);
    }
    const key = instanceKey(sim, c);
    this.instances.get(key)?.child?.kill('SIGKILL');
    const logs = this.logsOf(sim.namespace, sim.name, c.name, true)!;
    if (logs.current) {
      logs.current.end(at);
      logs.previous = logs.current;
    }
    const log = new InstanceLog(at, { intervalMs: 0, lines: [] }, this.opts.logLines ?? 1000, 0);
    logs.current = log;
    let done!: () => void;
    const inst: Instance = { sim, c, restartCount: c.restartCount, log, ended: false, finished: false, exited: new Promise((r) => (done = r)), milliCpu: 0, memory: 0, cpuNanos: 0 };
    this.instances.set(key, inst);
    // launch settles once the program runs and its postStart hook (if any) returned
    const launched = this.launch(inst, done).catch((e) => {
      const config = e instanceof ConfigError;
      log.append(this.now(), `kubesim: container ${c.name} could not start: ${(e as Error).message}`);
      this.opts.logger?.warn({ pod: `${sim.namespace}/${sim.name}`, container: c.name, err: String(e) }, 'container start failed');
      this.finish(inst, 128, { reason: config ? 'CreateContainerConfigError' : 'StartError', message: (e as Error).message });
      done();
    });
    if (containerSpec(sim.pod, c)?.lifecycle?.postStart) return launched;
  }

  /** The service proxy starts with the first program; DNS changes go to every running program. */
  private startProxy(client: Client): void {
    const proxy = (this.proxy = new ServiceProxy(client, this.opts.logger));
    proxy.onDns((table) => {
      for (const inst of this.instances.values()) if (!inst.finished) sendDns(inst.child, table);
    });
    this.proxyReady = proxy.start().catch((e) => this.opts.logger?.warn({ err: String(e) }, 'service proxy did not start'));
  }

  private async launch(inst: Instance, done: () => void): Promise<void> {
    const { sim, c } = inst;
    const spec = containerSpec(sim.pod, c);
    await this.proxyReady; // the program's first lookups find the Services
    const podDir = join(this.dataDir, 'pods', sim.uid);
    const l = await launchSpec(this.opts.config, this.volumes, sim, spec, podDir, this.opts.allocatable ?? {}, this.proxy?.dns() ?? [], this.proxy?.list() ?? []);
    if (inst.ended || this.closed) return done();
    // spec.stdin: a stdin pipe kubectl attach writes into (else none, as a container without stdin).
    const child = spawn(process.execPath, l.argv, { cwd: l.cwd, env: l.env, stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    child.stdin?.on('error', () => {});
    inst.child = child;
    inst.launch = l;
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, this.opts.nice ?? 10);
      } catch {
        /* not permitted: keep the default priority */
      }
    }
    this.capture(inst, child);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finalise = () => {
      if (inst.finished || !exit) return;
      const code = exit.code ?? 128 + (constants.signals[exit.signal as keyof typeof constants.signals] ?? 9);
      this.finish(inst, code);
      done();
    };
    child.on('error', (e) => {
      inst.log.append(this.now(), `kubesim: ${e.message}`);
      exit ??= { code: 128, signal: null };
      finalise();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      setTimeout(finalise, 500).unref(); // stdio held open by a grandchild must not hold the exit back
    });
    child.on('close', finalise);
    this.startPolling(inst, l.memoryLimit);
    if ((sim.pod.spec?.volumes ?? []).some(hasContent)) {
      // The kubelet's volume sync: ConfigMap/Secret/downward API changes reach the running program's files.
      inst.volumeSync = setInterval(() => void this.volumes.refresh({ pod: sim.pod, podIP: sim.podIP, hostIP: sim.hostIP }, podDir), this.opts.volumeSyncMs ?? 10_000);
      inst.volumeSync.unref();
    }
    const postStart = spec.lifecycle?.postStart;
    if (postStart) {
      // postStart runs beside the started program; a failure kills the container (FailedPostStartHook)
      const r = await runHook(postStart, probeContext(spec, l), POST_START_TIMEOUT_MS);
      if (!r.ok && !inst.finished && !inst.ended) {
        const message = hookFailure(postStart, c.name, `${sim.name}_${sim.namespace}`, r);
        inst.log.append(this.now(), `kubesim: FailedPostStartHook: ${message}`);
        inst.hookFailed = message;
        this.signal(inst, 'SIGKILL');
        await inst.exited; // never started: the kill is reported before the hook's end
        return;
      }
    }
    const probed = spec.startupProbe || spec.livenessProbe || spec.readinessProbe;
    if (probed) {
      inst.prober = new Prober(spec, probeContext(spec, l), {
        readiness: (ready, message) => {
          if (!inst.ended && c.restartCount === inst.restartCount) this.readinessListener?.(sim, c, ready, this.now(), message);
        },
        failed: (probe, message) => {
          // As the kubelet: SIGTERM, then SIGKILL after the probe's (or the pod's) grace period.
          inst.killedBy = { probe, message };
          const p = probe === 'Liveness' ? spec.livenessProbe : spec.startupProbe;
          const grace = p?.terminationGracePeriodSeconds ?? sim.pod.spec?.terminationGracePeriodSeconds ?? 30;
          this.signal(inst, 'SIGTERM');
          setTimeout(() => this.signal(inst, 'SIGKILL'), grace * 1000).unref();
        },
      });
      inst.prober.start();
    }
  }

  /** stdout and stderr, line by line, into the instance's log. */
  private capture(inst: Instance, child: ChildProcess): void {
    if (child.stdout) eachLine(child.stdout, (text) => this.line(inst, text, false));
    if (child.stderr) eachLine(child.stderr, (text) => this.line(inst, text, true));
  }

  private line(inst: Instance, text: string, stderr: boolean): void {
    if (stderr && /JavaScript heap out of memory|Reached heap limit/.test(text)) inst.heapOom = true;
    if (inst.log.endedAt === undefined) inst.log.append(this.now(), text);
  }

  /** Resident set and CPU every memoryPollMs: usage, and the memory limit (OOMKilled). */
  private startPolling(inst: Instance, limit: number): void {
    const every = this.opts.memoryPollMs ?? 250;
    inst.poll = setInterval(() => {
      const pid = inst.child?.pid;
      const r = pid !== undefined ? readProc(pid) : undefined;
      if (!r) return;
      this.record(inst, r.cpuNanos, r.rss);
      if (limit > 0 && r.rss > limit && !inst.oom) {
        inst.oom = true;
        this.signal(inst, 'SIGKILL');
      }
    }, every);
    inst.poll.unref();
  }

  private record(inst: Instance, cpuNanos: number, rss: number): void {
    const t = this.now();
    if (!inst.sample) inst.sample = { t, cpuNanos };
    else if (t - inst.sample.t >= 1000) {
      inst.milliCpu = Math.max(0, ((cpuNanos - inst.sample.cpuNanos) / ((t - inst.sample.t) * 1e6)) * 1000);
      inst.sample = { t, cpuNanos };
    }
    inst.cpuNanos = cpuNanos;
    inst.memory = rss;
  }

  /** The process is gone: close its log, stop its timers, report the exit unless the lifecycle ended it. */
  private finish(inst: Instance, code: number, detail?: ExitDetail): void {
    if (inst.finished) return;
    inst.finished = true;
    clearInterval(inst.poll);
    clearInterval(inst.volumeSync);
    inst.prober?.stop();
    const at = this.now();
    inst.log.end(at);
    if (inst.oom || (inst.heapOom && code !== 0)) {
      code = 137;
      detail = { reason: 'OOMKilled' };
    } else if (inst.killedBy) {
      detail = { liveness: true, message: inst.killedBy.message };
    } else if (inst.hookFailed) {
      detail = { event: { reason: 'FailedPostStartHook', message: inst.hookFailed } };
    }
    if (inst.ended || this.closed || inst.c.restartCount !== inst.restartCount) return;
    this.exitListener?.(inst.sim, inst.c, code, at, detail);
  }

  private signal(inst: Instance, sig: NodeJS.Signals): void {
    const pid = inst.child?.pid;
    if (pid === undefined || inst.finished) return;
    try {
      process.kill(-pid, sig); // the whole process group: the program and what it spawned
    } catch {
      try {
        inst.child?.kill(sig);
      } catch {
        /* already gone */
      }
    }
  }

  /** kubectl exec: the command beside the running instance of `c`, in its context. */
  spawnIn(sim: PodSim, c: ContainerSim, command: string[]): ChildProcess | undefined {
    const inst = this.instances.get(instanceKey(sim, c));
    if (!inst?.launch || inst.ended || inst.finished) return undefined;
    return spawnIn(inst.launch, command);
  }

  /** kubectl attach: the running instance's stdin (spec.stdin) and its output from now on. */
  attach(sim: PodSim, c: ContainerSim): AttachIO | undefined {
    const inst = this.instances.get(instanceKey(sim, c));
    const child = inst?.child;
    if (!inst || !child || inst.ended || inst.finished) return undefined;
    const spec = containerSpec(sim.pod, c);
    const on = (stream: import('node:stream').Readable | null, ch: 1 | 2, fn: (ch: 1 | 2, d: Buffer) => void) => {
      const l = (d: string | Buffer) => fn(ch, Buffer.isBuffer(d) ? d : Buffer.from(d));
      stream?.on('data', l);
      return () => stream?.off('data', l);
    };
    return {
      stdin: child.stdin ?? undefined,
      stdinOnce: !!spec?.stdinOnce,
      onOutput: (fn) => {
        const offs = [on(child.stdout, 1, fn), on(child.stderr, 2, fn)];
        return () => offs.forEach((off) => off());
      },
      onExit: (fn) => {
        void inst.exited.then(fn);
        return () => {};
      },
    };
  }

  stop(sim: PodSim, c: ContainerSim): void {
    const inst = this.instances.get(instanceKey(sim, c));
    if (!inst) return;
    inst.prober?.stop();
    // preStop first, within the grace period (the pod runtime's SIGKILL at its end bounds both)
    const preStop = containerSpec(sim.pod, c)?.lifecycle?.preStop;
    if (!preStop || !inst.launch || inst.finished) return this.signal(inst, 'SIGTERM');
    const graceMs = (sim.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    void runHook(preStop, probeContext(containerSpec(sim.pod, c), inst.launch), graceMs).then((r) => {
      if (!r.ok) inst.log.append(this.now(), `kubesim: ${hookFailure(preStop, c.name, `${sim.name}_${sim.namespace}`, r)}`);
      this.signal(inst, 'SIGTERM');
    });
  }

  ended(sim: PodSim, c: ContainerSim): void {
    const inst = this.instances.get(instanceKey(sim, c));
    if (!inst || inst.restartCount !== c.restartCount) return;
    inst.ended = true;
    inst.prober?.stop();
    this.signal(inst, 'SIGKILL');
  }

  adopt(sim: PodSim, c: ContainerSim): void {
    // The process did not survive the pool's restart (the pool kills its programs when it stops):
    // the instance ended as containers do when their node reboots (255, Unknown).
    setImmediate(() => {
      if (!this.closed && c.state === 'Running') this.exitListener?.(sim, c, 255, this.now(), { reason: 'Unknown' });
    });
  }

  remove(sim: PodSim): void {
    const gone: Promise<void>[] = [];
    for (const [key, inst] of this.instances) {
      if (inst.sim.uid !== sim.uid) continue;
      inst.ended = true;
      this.signal(inst, 'SIGKILL');
      gone.push(inst.exited);
      this.instances.delete(key);
    }
    for (const key of this.logs.keys()) if (key.startsWith(`${sim.namespace}/${sim.name}/`)) this.logs.delete(key);
    const dir = join(this.dataDir, 'pods', sim.uid);
    this.volumes.forget(dir, sim.uid);
    void Promise.all(gone).then(() => rm(dir, { recursive: true, force: true })).catch(() => {});
  }

  /** Whether this runtime has logs for the container (the dispatcher asks before reading). */
  hasLogs(namespace: string, pod: string, container: string): boolean {
    return this.logs.has(`${namespace}/${pod}/${container}`);
  }

  log(namespace: string, pod: string, container: string, previous: boolean): ContainerLog | undefined {
    const l = this.logsOf(namespace, pod, container, false);
    return previous ? l?.previous : l?.current;
  }

  private logsOf(namespace: string, pod: string, container: string, create: boolean): Logs | undefined {
    const k = `${namespace}/${pod}/${container}`;
    let l = this.logs.get(k);
    if (!l && create) this.logs.set(k, (l = {}));
    return l;
  }

  usage(sim: PodSim, c: ContainerSim): ContainerUsage {
    const inst = this.instances.get(instanceKey(sim, c));
    const startedAt = c.startedAt ?? this.now();
    if (!inst || inst.restartCount !== c.restartCount) return { name: c.name, milliCpu: 0, memory: 0, cpuNanos: 0, startedAt };
    const pid = inst.child?.pid;
    const r = pid !== undefined && !inst.finished ? readProc(pid) : undefined;
    if (r) this.record(inst, r.cpuNanos, r.rss);
    return { name: c.name, milliCpu: Math.round(inst.milliCpu), memory: inst.memory, cpuNanos: inst.cpuNanos, startedAt };
  }

  /** Pids of the running programs (tests check none outlives the pool). */
  pids(): number[] {
    return [...this.instances.values()].filter((i) => !i.finished && i.child?.pid !== undefined).map((i) => i.child!.pid!);
  }

  private killAll(): void {
    for (const inst of this.instances.values()) {
      inst.ended = true;
      this.signal(inst, 'SIGKILL');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.killAll();
    // Every instance settles `exited`: its process ended, or its launch gave up (closed) before spawning.
    const all = [...this.instances.values()].map((i) => i.exited);
    await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, 3000).unref())]);
    process.off('exit', this.onProcessExit);
    await this.proxy?.close();
    if (this.ownDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The DNS table to a program's preload, over its IPC channel. */
function sendDns(child: ChildProcess | undefined, table: [string, string][]): void {
  if (child?.connected) child.send({ kubesim: 'dns', table }, () => {});
}

function instanceKey(sim: PodSim, c: ContainerSim): string {
  return `${sim.uid}/${c.name}`;
}
