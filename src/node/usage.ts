// Simulated resource usage per container: CPU (millicores) and memory (bytes) as pure functions of
// time. The default moves smoothly around a fraction of the requests (a deterministic "random
// walk": value noise seeded by the container id), bounded by the limits. A pod picks a pattern by
// annotation (docs/node-simulation.md): `kubesim.io/usage: cpu=200m,memory=100Mi`,
// `kubesim.io/cpu-pattern: sine(100m,500m,60s)`, `kubesim.io/memory-pattern: ramp(64Mi,512Mi,10m)`.
import type { KubeObject } from '../api/types.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import { hash32 } from './units.ts';
import { NOISE_KNOT_MS, parsePattern, patternAt, type Pattern } from '../api/core/patterns.ts';

export { noise, parsePattern, patternAt, type Pattern } from '../api/core/patterns.ts';

export interface UsageModel {
  cpu: Pattern; // millicores
  memory: Pattern; // bytes
  cpuLimit?: number;
  memoryLimit?: number;
  seed: number;
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

const USAGE_KEYS = ['kubesim.io/usage', 'kubesim.io/cpu-pattern', 'kubesim.io/memory-pattern'];

/**
 * What a container's usage model depends on (its usage annotations, requests and limits), as one
 * string: the model is rebuilt only when this changes, not on every update of the pod. Pure.
 */
export function usageInputs(pod: KubeObject, container: any): string {
  const ann = pod.metadata.annotations;
  const req = container.resources?.requests;
  const lim = container.resources?.limits;
  let key = `${req?.cpu}|${req?.memory}|${lim?.cpu}|${lim?.memory}`;
  for (const k of USAGE_KEYS) key += `|${ann?.[`${k}.${container.name}`] ?? ann?.[k]}`;
  return key;
}

/** The usage model of one container of a pod (annotations `<key>.<container>` win over `<key>`). */
export function usageModel(pod: KubeObject, container: any, seedKey: string): UsageModel {
  const ann = pod.metadata.annotations ?? {};
  const get = (k: string): string | undefined => ann[`${k}.${container.name}`] ?? ann[k];
  const req = container.resources?.requests ?? {};
  const lim = container.resources?.limits ?? {};
  const cpuReq = milliValueOrZero(req.cpu ?? lim.cpu);
  const memReq = valueOrZero(req.memory ?? lim.memory);
  const targets = parseUsage(get('kubesim.io/usage'));
  const cpuPattern = get('kubesim.io/cpu-pattern');
  const memoryPattern = get('kubesim.io/memory-pattern');
  const cpu =
    (cpuPattern !== undefined ? parsePattern(cpuPattern, milliValueOrZero) : undefined) ??
    ({ kind: 'walk', mean: targets.cpu ?? (cpuReq ? cpuReq * 0.5 : 10), spread: 0.2 } as Pattern);
  const memory =
    (memoryPattern !== undefined ? parsePattern(memoryPattern, valueOrZero) : undefined) ??
    ({ kind: 'walk', mean: targets.memory ?? (memReq ? memReq * 0.6 : 24 * 2 ** 20), spread: 0.05 } as Pattern);
  return {
    cpu,
    memory,
    cpuLimit: lim.cpu ? milliValueOrZero(lim.cpu) : undefined,
    memoryLimit: lim.memory ? valueOrZero(lim.memory) : undefined,
    seed: hash32(seedKey),
  };
}

/** Usage at time t of a container started at startedAt: millicores and bytes, within [0, limit]. */
export function usageAt(m: UsageModel, startedAt: number, t: number): { milliCpu: number; memory: number } {
  return { milliCpu: cpuAt(m, startedAt, t), memory: memoryAt(m, startedAt, t) };
}

/** usageAt's millicores alone. */
export function cpuAt(m: UsageModel, startedAt: number, t: number): number {
  const cpu = Math.max(0, patternAt(m.cpu, m.seed, Math.max(0, t - startedAt), t));
  return m.cpuLimit !== undefined ? Math.min(cpu, m.cpuLimit) : cpu;
}

/** usageAt's bytes alone. */
export function memoryAt(m: UsageModel, startedAt: number, t: number): number {
  const mem = Math.max(0, patternAt(m.memory, m.seed ^ 0x5bd1e995, Math.max(0, t - startedAt), t));
  return Math.round(m.memoryLimit !== undefined ? Math.min(mem, m.memoryLimit) : mem);
}

/**
 * Cumulative CPU (core-nanoseconds) over [from, to], by the trapezoid rule. A `walk` or `const`
 * pattern is linear between noise knots: the steps are the knots in between (exact but where a
 * limit clips it; a 15 s scrape interval takes 4-5 evaluations instead of 16). Other patterns, and
 * spans of more than 600 knots, on ≤ 1 s steps (≤ 600 steps).
 */
export function cpuIntegralNanos(m: UsageModel, startedAt: number, from: number, to: number): number {
  if (to <= from) return 0;
  const kind = m.cpu.kind;
  if ((kind === 'walk' || kind === 'const') && (to - from) / NOISE_KNOT_MS <= 600) {
    let sum = 0;
    let t = from;
    let prev = cpuAt(m, startedAt, from);
    while (t < to) {
      const next = Math.min(to, (Math.floor(t / NOISE_KNOT_MS) + 1) * NOISE_KNOT_MS);
      const cur = cpuAt(m, startedAt, next);
      sum += ((prev + cur) / 2) * (next - t);
      prev = cur;
      t = next;
    }
    return Math.round(sum * 1e3);
  }
  const steps = Math.min(600, Math.max(1, Math.ceil((to - from) / 1000)));
  const dt = (to - from) / steps;
  let sum = 0;
  let prev = cpuAt(m, startedAt, from);
  for (let i = 1; i <= steps; i++) {
    const cur = cpuAt(m, startedAt, from + i * dt);
    sum += ((prev + cur) / 2) * dt; // millicores × ms = 1e-3 core × 1e6 ns = 1e3 core-ns
    prev = cur;
  }
  return Math.round(sum * 1e3);
}
