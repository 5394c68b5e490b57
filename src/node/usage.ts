// Simulated resource usage per container: CPU (millicores) and memory (bytes) as pure functions of
// time. The default moves smoothly around a fraction of the requests (a deterministic "random
// walk": value noise seeded by the container id), bounded by the limits. A pod picks a pattern by
// annotation (docs/node-simulation.md): `kubesim.io/usage: cpu=200m,memory=100Mi`,
// `kubesim.io/cpu-pattern: sine(100m,500m,60s)`, `kubesim.io/memory-pattern: ramp(64Mi,512Mi,10m)`.
import type { KubeObject } from '../api/types.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import { hash32, parseDurationMs } from './units.ts';

export type Pattern =
  | { kind: 'const'; v: number }
  | { kind: 'walk'; mean: number; spread: number; seed?: number }
  | { kind: 'step'; from: number; to: number; atMs: number }
  | { kind: 'diurnal'; min: number; max: number; peakMs: number }
  | { kind: 'sine'; min: number; max: number; periodMs: number }
  | { kind: 'ramp'; from: number; to: number; durationMs: number }
  | { kind: 'square'; low: number; high: number; periodMs: number };

export interface UsageModel {
  cpu: Pattern; // millicores
  memory: Pattern; // bytes
  cpuLimit?: number;
  memoryLimit?: number;
  seed: number;
}

/**
 * Parses `sine(100m,500m,60s)`, `ramp(a,b,10m)`, `square(a,b,30s)`, `step(a,b,2m)`,
 * `diurnal(min,max[,14h])` (by the time of day, UTC, peaking at the given hour), `walk(200m)`,
 * `walk(200m,0.3)`, `walk(200m,0.3,42)` (seeded), `const(x)` or a bare quantity.
 */
export function parsePattern(s: string, unit: (q: string) => number): Pattern | undefined {
  const m = /^\s*(\w+)\s*\(([^)]*)\)\s*$/.exec(s);
  if (!m) {
    const v = unit(s.trim());
    return v > 0 || s.trim() === '0' ? { kind: 'const', v } : undefined;
  }
  const args = m[2].split(',').map((a) => a.trim());
  switch (m[1]) {
    case 'const':
      return { kind: 'const', v: unit(args[0]) };
    case 'walk': {
      const seed = args[2] !== undefined && /^\d+$/.test(args[2]) ? parseInt(args[2], 10) : undefined;
      return { kind: 'walk', mean: unit(args[0]), spread: args[1] ? parseFloat(args[1]) : 0.2, ...(seed !== undefined ? { seed } : {}) };
    }
    case 'step':
      return { kind: 'step', from: unit(args[0]), to: unit(args[1]), atMs: parseDurationMs(args[2]) ?? 60_000 };
    case 'diurnal':
      return { kind: 'diurnal', min: unit(args[0]), max: unit(args[1]), peakMs: parseDurationMs(args[2]) ?? 14 * 3600_000 };
    case 'sine':
      return { kind: 'sine', min: unit(args[0]), max: unit(args[1]), periodMs: parseDurationMs(args[2]) ?? 60_000 };
    case 'ramp':
      return { kind: 'ramp', from: unit(args[0]), to: unit(args[1]), durationMs: parseDurationMs(args[2]) ?? 60_000 };
    case 'square':
      return { kind: 'square', low: unit(args[0]), high: unit(args[1]), periodMs: parseDurationMs(args[2]) ?? 60_000 };
  }
  return undefined;
}

/** `cpu=200m,memory=100Mi` → targets. */
function parseUsage(s: string | undefined): { cpu?: number; memory?: number } {
  const out: { cpu?: number; memory?: number } = {};
  for (const part of (s ?? '').split(',')) {
    const [k, v] = part.split('=').map((x) => x?.trim());
    if (k === 'cpu' && v) out.cpu = milliValueOrZero(v);
    if (k === 'memory' && v) out.memory = valueOrZero(v);
  }
  return out;
}

/** The usage model of one container of a pod (annotations `<key>.<container>` win over `<key>`). */
export function usageModel(pod: KubeObject, container: any, seedKey: string): UsageModel {
  const ann = pod.metadata.annotations ?? {};
  const get = (k: string) => ann[`${k}.${container.name}`] ?? ann[k];
  const req = container.resources?.requests ?? {};
  const lim = container.resources?.limits ?? {};
  const cpuReq = milliValueOrZero(req.cpu ?? lim.cpu);
  const memReq = valueOrZero(req.memory ?? lim.memory);
  const targets = parseUsage(get('kubesim.io/usage'));
  const cpu =
    parsePattern(get('kubesim.io/cpu-pattern') ?? '', milliValueOrZero) ??
    ({ kind: 'walk', mean: targets.cpu ?? (cpuReq ? cpuReq * 0.5 : 10), spread: 0.2 } as Pattern);
  const memory =
    parsePattern(get('kubesim.io/memory-pattern') ?? '', valueOrZero) ??
    ({ kind: 'walk', mean: targets.memory ?? (memReq ? memReq * 0.6 : 24 * 2 ** 20), spread: 0.05 } as Pattern);
  return {
    cpu,
    memory,
    cpuLimit: lim.cpu ? milliValueOrZero(lim.cpu) : undefined,
    memoryLimit: lim.memory ? valueOrZero(lim.memory) : undefined,
    seed: hash32(seedKey),
  };
}

/** Smooth deterministic noise in [-1, 1]: linear interpolation between hashed knots every 5 s. */
export function noise(seed: number, t: number): number {
  const knot = 5000;
  const k = Math.floor(t / knot);
  const f = (t - k * knot) / knot;
  const a = (hash32(`${seed}:${k}`) / 0xffffffff) * 2 - 1;
  const b = (hash32(`${seed}:${k + 1}`) / 0xffffffff) * 2 - 1;
  return a + (b - a) * f;
}

export function patternAt(p: Pattern, seed: number, sinceStartMs: number, t: number): number {
  switch (p.kind) {
    case 'const':
      return p.v;
    case 'walk':
      return p.mean * (1 + p.spread * noise(p.seed ?? seed, t));
    case 'step':
      return sinceStartMs < p.atMs ? p.from : p.to;
    case 'diurnal': {
      const day = 24 * 3600_000;
      const phase = (((t - p.peakMs) % day) + day) % day;
      return p.min + ((p.max - p.min) * (1 + Math.cos((2 * Math.PI * phase) / day))) / 2;
    }
    case 'sine':
      return p.min + ((p.max - p.min) * (1 + Math.sin((2 * Math.PI * sinceStartMs) / p.periodMs))) / 2;
    case 'ramp':
      return p.from + (p.to - p.from) * Math.min(1, Math.max(0, sinceStartMs / p.durationMs));
    case 'square':
      return Math.floor(sinceStartMs / (p.periodMs / 2)) % 2 === 0 ? p.low : p.high;
  }
}

/** Usage at time t of a container started at startedAt: millicores and bytes, within [0, limit]. */
export function usageAt(m: UsageModel, startedAt: number, t: number): { milliCpu: number; memory: number } {
  const since = Math.max(0, t - startedAt);
  let cpu = Math.max(0, patternAt(m.cpu, m.seed, since, t));
  let mem = Math.max(0, patternAt(m.memory, m.seed ^ 0x5bd1e995, since, t));
  if (m.cpuLimit !== undefined) cpu = Math.min(cpu, m.cpuLimit);
  if (m.memoryLimit !== undefined) mem = Math.min(mem, m.memoryLimit);
  return { milliCpu: cpu, memory: Math.round(mem) };
}

/** Cumulative CPU (core-nanoseconds) over [from, to], by the trapezoid rule on ≤ 1 s steps (≤ 600 steps). */
export function cpuIntegralNanos(m: UsageModel, startedAt: number, from: number, to: number): number {
  if (to <= from) return 0;
  const steps = Math.min(600, Math.max(1, Math.ceil((to - from) / 1000)));
  const dt = (to - from) / steps;
  let sum = 0;
  let prev = usageAt(m, startedAt, from).milliCpu;
  for (let i = 1; i <= steps; i++) {
    const cur = usageAt(m, startedAt, from + i * dt).milliCpu;
    sum += ((prev + cur) / 2) * dt; // millicores × ms = 1e-3 core × 1e6 ns = 1e3 core-ns
    prev = cur;
  }
  return Math.round(sum * 1e3);
}
