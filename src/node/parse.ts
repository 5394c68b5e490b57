// Parsing of the CLI's --labels and --taints flags.
import type { Taint } from '../api/core/index.ts';

/** "k=v,k2=v2" → labels. Throws on an entry without "=". */
export function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${part}": expected key=value`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

const effects = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/** "k=v:NoSchedule,k2:NoExecute" → taints (kubectl taint syntax). */
export function parseTaints(s: string | undefined): Taint[] {
  const out: Taint[] = [];
  for (const part of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const colon = part.lastIndexOf(':');
    const effect = colon > 0 ? part.slice(colon + 1) : '';
    if (!effects.has(effect)) throw new Error(`invalid taint "${part}": effect must be NoSchedule, PreferNoSchedule or NoExecute`);
    const kv = part.slice(0, colon);
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (!key) throw new Error(`invalid taint "${part}": missing key`);
    out.push(eq < 0 ? { key, effect } : { key, value: kv.slice(eq + 1), effect });
  }
  return out;
}
