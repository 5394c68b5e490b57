// Simulated container logs: start lines, periodic lines and exit lines, generated lazily as a pure
// function of time (so 10,000 idle containers cost nothing until someone reads them), retained in
// a bounded ring per container instance, plus the previous (last terminated) instance.
import type { KubeObject } from '../api/types.ts';
import { parseDurationMs, rfc3339Nano } from './units.ts';

export interface LogLine {
  t: number;
  seq: number;
  text: string;
}

export interface LogOptions {
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

const defaultLines = [
  'level=info msg="handled request" method=GET path=/ status=200 duration_ms={ms} n={n}',
  'level=info msg="handled request" method=GET path=/healthz status=200 duration_ms={ms} n={n}',
  'level=debug msg="cache stats" hits={n} misses={ms}',
];

export interface LogPlan {
  intervalMs: number;
  lines: string[];
}

/** `kubesim.io/log-interval` (0 = no periodic lines) and `kubesim.io/log-lines` (newline-separated, cycled). */
export function logPlan(pod: KubeObject, container: string, defaultIntervalMs = 10_000): LogPlan {
  const ann = pod.metadata.annotations ?? {};
  const interval = parseDurationMs(ann[`kubesim.io/log-interval.${container}`] ?? ann['kubesim.io/log-interval']);
  const custom = ann[`kubesim.io/log-lines.${container}`] ?? ann['kubesim.io/log-lines'];
  return {
    intervalMs: interval ?? defaultIntervalMs,
    lines: custom ? custom.split('\n').filter((l) => l !== '') : defaultLines,
  };
}

/**
 * One container instance's log: a ring of materialized lines plus the lazy periodic generator.
 * Lines appended (the runtime's own: a SIGTERM note, the exit line) wait in `appended` until
 * something reads the log, and are then put in the ring in order, each after the periodic lines due
 * before it: the same lines, numbers and trimming as putting them in at once, without generating up
 * to `capacity` periodic lines at every container stop of a pod nobody reads the log of.
 */
export class InstanceLog {
  private readonly ring: LogLine[] = [];
  private seq = 0;
  private nextK = 1;
  /** Appended lines not in the ring yet, in time order (append times never go back). */
  private appended: { t: number; text: string }[] = [];
  endedAt?: number;

  constructor(
    readonly startedAt: number,
    readonly plan: LogPlan,
    readonly capacity: number,
    private readonly salt: number,
  ) {}

  /** The retained lines, oldest first. */
  get lines(): LogLine[] {
    this.flush();
    return this.ring;
  }

  append(t: number, text: string): void {
    this.appended.push({ t, text });
    // bounded even if nothing ever reads the log: a long-lived instance with many notes
    if (this.appended.length > this.capacity) this.flush();
  }

  private push(t: number, text: string): void {
    this.ring.push({ t, seq: ++this.seq, text });
    if (this.ring.length > this.capacity * 1.25) this.ring.splice(0, this.ring.length - this.capacity);
  }

  /** Puts the appended lines in the ring, each after the periodic lines due by its time. */
  private flush(): void {
    if (!this.appended.length) return;
    const lines = this.appended;
    this.appended = [];
    for (const l of lines) {
      this.generate(l.t);
      this.push(l.t, l.text);
    }
  }

  /** Generates the periodic lines due up to `now` (only the last `capacity` of a long gap). */
  materialize(now: number): void {
    this.flush();
    this.generate(now);
  }

  private generate(now: number): void {
    if (!(this.plan.intervalMs > 0)) return;
    const until = Math.min(now, this.endedAt ?? Infinity);
    const lastK = Math.floor((until - this.startedAt) / this.plan.intervalMs);
    if (lastK < this.nextK) return;
    const firstK = Math.max(this.nextK, lastK - this.capacity + 1);
    this.seq += firstK - this.nextK; // skipped lines still count, so follow sees a gap, not a repeat
    for (let k = firstK; k <= lastK; k++) {
      const tpl = this.plan.lines[(k - 1) % this.plan.lines.length];
      const ms = ((k * 2654435761 + this.salt) >>> 0) % 250;
      this.push(this.startedAt + k * this.plan.intervalMs, tpl.replace(/\{n\}/g, String(k)).replace(/\{ms\}/g, String(ms)));
    }
    this.nextK = lastK + 1;
  }

  /** The instance ended at t: the periodic lines stop there, the exit line (if any) after them. */
  end(t: number, text?: string): void {
    if (this.endedAt !== undefined) return;
    if (text) this.append(t, text);
    this.endedAt = t;
  }

  /** Lines after seq `after` (for follow). */
  since(after: number, now: number): LogLine[] {
    this.materialize(now);
    const ring = this.ring;
    let i = ring.length;
    while (i > 0 && ring[i - 1].seq > after) i--;
    return ring.slice(i);
  }

  read(opts: LogOptions, now: number): LogLine[] {
    this.materialize(now);
    let out = this.ring;
    const since = opts.sinceSeconds !== undefined ? now - opts.sinceSeconds * 1000 : opts.sinceTime;
    if (since !== undefined) out = out.filter((l) => l.t >= since);
    if (opts.tailLines !== undefined) out = opts.tailLines <= 0 ? [] : out.slice(-opts.tailLines);
    return out;
  }
}

export function formatLines(lines: LogLine[], opts: LogOptions): string {
  let s = '';
  for (const l of lines) {
    const line = `${opts.timestamps ? `${rfc3339Nano(l.t)} ` : ''}${l.text}\n`;
    if (opts.limitBytes !== undefined && s.length + line.length > opts.limitBytes) {
      s += line.slice(0, Math.max(0, opts.limitBytes - s.length));
      break;
    }
    s += line;
  }
  return s;
}

interface ContainerLogs {
  current?: InstanceLog;
  previous?: InstanceLog;
}

/** All logs of a node pool, by pod ("namespace/pod") then container. */
export class LogStore {
  private readonly byPod = new Map<string, Map<string, ContainerLogs>>();
  constructor(
    readonly capacity = 1000,
    readonly defaultIntervalMs = 10_000,
  ) {}

  private entry(ns: string, pod: string, c: string, create: boolean): ContainerLogs | undefined {
    const k = `${ns}/${pod}`;
    let m = this.byPod.get(k);
    if (!m) {
      if (!create) return undefined;
      m = new Map();
      this.byPod.set(k, m);
    }
    let e = m.get(c);
    if (!e && create) m.set(c, (e = {}));
    return e;
  }

  /** A new instance starts: the old one (if any) becomes `previous`. */
  started(pod: KubeObject, container: string, image: string, restartCount: number, at: number): InstanceLog {
    const entry = this.entry(pod.metadata.namespace ?? '', pod.metadata.name ?? '', container, true)!;
    if (entry.current) {
      entry.current.end(at);
      entry.previous = entry.current;
    }
    const log = new InstanceLog(at, logPlan(pod, container, this.defaultIntervalMs), this.capacity, restartCount * 7919 + container.length);
    log.append(at, `kubesim: starting container ${container} (image ${image}${restartCount ? `, restart ${restartCount}` : ''})`);
    log.append(at, `level=info msg="listening" container=${container} pod=${pod.metadata.name}`);
    entry.current = log;
    return log;
  }

  /** The current instance ends (exit or kill). */
  ended(ns: string, pod: string, container: string, at: number, text: string): void {
    this.entry(ns, pod, container, false)?.current?.end(at, text);
  }

  /** Appends a line to the current instance (e.g. "received SIGTERM"). */
  note(ns: string, pod: string, container: string, at: number, text: string): void {
    const cur = this.entry(ns, pod, container, false)?.current;
    if (cur && cur.endedAt === undefined) cur.append(at, text);
  }

  get(ns: string, pod: string, container: string, previous = false): InstanceLog | undefined {
    const e = this.entry(ns, pod, container, false);
    return previous ? e?.previous : e?.current;
  }

  forgetPod(ns: string, pod: string): void {
    this.byPod.delete(`${ns}/${pod}`);
  }

  /** Pods with logs. */
  get size(): number {
    return this.byPod.size;
  }
}
