// Workload generators of a scenario: Pods or Jobs arriving by a process (constant, Poisson,
// diurnal), each running for a sampled duration (the node simulation's kubesim.io/exit-after) with
// sampled CPU/memory requests. parseGenerator checks the shape; expandGenerator draws every arrival,
// duration and size from the run's one seeded Random before the cluster starts, so the plan does
// not depend on how the components interleave, and turns them into apply actions.
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import type { KubeObject } from '../api/types.ts';
import type { Random } from '../clock/index.ts';
import { parseDuration, ScenarioError, type Action } from './scenario.ts';

export type Dist =
  | { dist: 'fixed'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; stddev: number; min: number }
  | { dist: 'choice'; values: number[]; weights?: number[] };

export type Arrival =
  | { process: 'constant'; everyMs: number }
  | { process: 'poisson'; perHour: number }
  | { process: 'diurnal'; minPerHour: number; maxPerHour: number; peakMs: number };

export interface Generator {
  name: string;
  kind: 'Pod' | 'Job';
  namespace: string;
  arrival: Arrival;
  /** Virtual ms of the first and last possible arrival. */
  start: number;
  stop: number;
  /** How long each pod runs (ms); undefined: until deleted. */
  duration?: Dist;
  cpu: Dist;
  memory: Dist;
  labels: Record<string, string>;
  priorityClassName?: string;
  /** Jobs: spec.ttlSecondsAfterFinished. */
  ttlSecondsAfterFinished?: number;
  /** At most this many arrivals (a safety bound; default 100,000). */
  max: number;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const need = (cond: boolean, msg: string) => {
  if (!cond) throw new ScenarioError(msg);
};

/** `12/h`, `3/m`, `0.5/s` or a number per hour. */
export function parseRate(v: unknown, where: string): number {
  if (typeof v === 'number' && v >= 0) return v;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)\s*$/.exec(v) : null;
  need(!!m, `${where}: a rate like 12/h, 3/m or 0.5/s (got ${JSON.stringify(v)})`);
  return Number(m![1]) * { s: 3600, m: 60, h: 1 }[m![2] as 's' | 'm' | 'h'];
}

/** A distribution; `unit` reads one value (a quantity or a duration), a bare value is `fixed`. */
export function parseDist(v: unknown, where: string, unit: (x: unknown, where: string) => number): Dist {
  if (!isObj(v)) return { dist: 'fixed', value: unit(v, where) };
  switch (v.dist) {
    case 'fixed':
      return { dist: 'fixed', value: unit(v.value, `${where}.value`) };
    case 'uniform': {
      const [min, max] = [unit(v.min, `${where}.min`), unit(v.max, `${where}.max`)];
      need(min <= max, `${where}: min must not exceed max`);
      return { dist: 'uniform', min, max };
    }
    case 'normal':
      return { dist: 'normal', mean: unit(v.mean, `${where}.mean`), stddev: unit(v.stddev, `${where}.stddev`), min: v.min === undefined ? 0 : unit(v.min, `${where}.min`) };
    case 'choice': {
      need(Array.isArray(v.values) && v.values.length > 0, `${where}.values: a non-empty list`);
      const values = v.values.map((x: unknown, i: number) => unit(x, `${where}.values[${i}]`));
      if (v.weights !== undefined) need(Array.isArray(v.weights) && v.weights.length === values.length && v.weights.every((w: unknown) => typeof w === 'number' && w >= 0), `${where}.weights: one non-negative number per value`);
      return { dist: 'choice', values, weights: v.weights };
    }
  }
  throw new ScenarioError(`${where}.dist: one of fixed, uniform, normal, choice`);
}

export function sample(d: Dist, r: Random): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * r.next();
    case 'normal': {
      // Box–Muller, two draws per sample.
      const u = 1 - r.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.next());
      return Math.max(d.min, d.mean + d.stddev * z);
    }
    case 'choice': {
      if (!d.weights) return d.values[r.int(d.values.length)];
      const total = d.weights.reduce((a, b) => a + b, 0);
      let x = r.next() * total;
      for (let i = 0; i < d.values.length; i++) if ((x -= d.weights[i]) < 0) return d.values[i];
      return d.values.at(-1)!;
    }
  }
}

const quantity = (kind: 'cpu' | 'memory') => (x: unknown, where: string) => {
  need(typeof x === 'string' || typeof x === 'number', `${where}: a quantity`);
  const v = kind === 'cpu' ? milliValueOrZero(x as string) : valueOrZero(x as string);
  need(v > 0, `${where}: a positive quantity (got ${JSON.stringify(x)})`);
  return v;
};

function arrival(v: unknown, where: string): Arrival {
  need(isObj(v), `${where}: {process: constant|poisson|diurnal, ...}`);
  const a = v as Record<string, any>;
  switch (a.process) {
    case 'constant': {
      const everyMs = parseDuration(a.every, `${where}.every`);
      need(everyMs > 0, `${where}.every: must be positive`);
      return { process: 'constant', everyMs };
    }
    case 'poisson':
      return { process: 'poisson', perHour: parseRate(a.rate, `${where}.rate`) };
    case 'diurnal': {
      const [minPerHour, maxPerHour] = [parseRate(a.min, `${where}.min`), parseRate(a.max, `${where}.max`)];
      need(minPerHour <= maxPerHour, `${where}: min must not exceed max`);
      return { process: 'diurnal', minPerHour, maxPerHour, peakMs: parseDuration(a.peak ?? '14h', `${where}.peak`) };
    }
  }
  throw new ScenarioError(`${where}.process: one of constant, poisson, diurnal`);
}

export function parseGenerator(v: unknown, i: number): Generator {
  const where = `generators[${i}]`;
  need(isObj(v), `${where}: must be an object`);
  const g = v as Record<string, any>;
  need(typeof g.name === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(g.name) && g.name.length <= 40, `${where}.name: a DNS label of at most 40 characters`);
  const kind = g.kind ?? 'Pod';
  need(kind === 'Pod' || kind === 'Job', `${where}.kind: Pod or Job`);
  const start = parseDuration(g.start ?? '0s', `${where}.start`);
  const stop = g.stop === undefined ? Infinity : parseDuration(g.stop, `${where}.stop`);
  const max = g.max ?? 100_000;
  need(Number.isInteger(max) && max > 0, `${where}.max: a positive integer`);
  return {
    name: g.name,
    kind,
    namespace: typeof g.namespace === 'string' ? g.namespace : 'default',
    arrival: arrival(g.arrival, `${where}.arrival`),
    start,
    stop,
    duration: g.duration === undefined ? undefined : parseDist(g.duration, `${where}.duration`, (x, w) => parseDuration(x, w)),
    cpu: parseDist(g.cpu ?? '100m', `${where}.cpu`, quantity('cpu')),
    memory: parseDist(g.memory ?? '128Mi', `${where}.memory`, quantity('memory')),
    labels: isObj(g.labels) ? g.labels : {},
    priorityClassName: typeof g.priorityClassName === 'string' ? g.priorityClassName : undefined,
    ttlSecondsAfterFinished: g.ttlSecondsAfterFinished,
    max,
  };
}

/** Arrival times in [start, min(stop, until)]: constant steps, exponential gaps, or thinned diurnal Poisson. */
export function arrivals(g: Generator, until: number, r: Random): number[] {
  const end = Math.min(g.stop, until);
  const out: number[] = [];
  const a = g.arrival;
  if (a.process === 'constant') {
    for (let t = g.start; t <= end && out.length < g.max; t += a.everyMs) out.push(t);
    return out;
  }
  const peak = a.process === 'poisson' ? a.perHour : a.maxPerHour;
  if (peak <= 0) return out;
  const day = 24 * 3600_000;
  const rateAt = (t: number) => {
    if (a.process === 'poisson') return a.perHour;
    const phase = (((t - a.peakMs) % day) + day) % day;
    return a.minPerHour + ((a.maxPerHour - a.minPerHour) * (1 + Math.cos((2 * Math.PI * phase) / day))) / 2;
  };
  for (let t = g.start; out.length < g.max; ) {
    t += (-Math.log(1 - r.next()) / peak) * 3600_000;
    if (t > end) break;
    // Thinning (Lewis–Shedler): keep the candidate with probability rate(t)/peak.
    if (a.process === 'poisson' || r.next() * peak < rateAt(t)) out.push(Math.round(t));
  }
  return out;
}

const millicores = (m: number) => `${Math.max(1, Math.round(m))}m`;
const mebibytes = (b: number) => `${Math.max(1, Math.round(b / 2 ** 20))}Mi`;
const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;

/** The object one arrival creates. */
export function manifestFor(g: Generator, index: number, cpu: number, memory: number, durationMs: number | undefined): KubeObject {
  const labels = { ...g.labels, 'kubesim.io/generator': g.name };
  const podSpec = {
    restartPolicy: 'Never',
    ...(g.priorityClassName ? { priorityClassName: g.priorityClassName } : {}),
    containers: [{ name: 'work', image: 'busybox', resources: { requests: { cpu: millicores(cpu), memory: mebibytes(memory) } } }],
  };
  const annotations = durationMs === undefined ? undefined : { 'kubesim.io/exit-after': seconds(durationMs) };
  const name = `${g.name}-${index}`;
  if (g.kind === 'Pod') return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: g.namespace, labels, ...(annotations ? { annotations } : {}) }, spec: podSpec };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: g.namespace, labels },
    spec: {
      backoffLimit: 0,
      ...(g.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: g.ttlSecondsAfterFinished } : {}),
      template: { metadata: { labels, ...(annotations ? { annotations } : {}) }, spec: podSpec },
    },
  };
}

/** Every arrival of a generator as an apply action, drawn from `r` (arrivals, then per arrival: duration, cpu, memory). */
export function expandGenerator(g: Generator, until: number, r: Random): Action[] {
  return arrivals(g, until, r).map((at, i) => {
    const duration = g.duration ? sample(g.duration, r) : undefined;
    const cpu = sample(g.cpu, r);
    const memory = sample(g.memory, r);
    return { at, apply: [manifestFor(g, i, cpu, memory, duration)] };
  });
}
