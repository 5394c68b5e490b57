// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the subset kubesim models: profiles
// by schedulerName, plugins enabled/disabled per extension point with score weights,
// NodeResourcesFit's scoringStrategy, percentageOfNodesToScore. Each profile starts from the
// policy's profile (profileFor) and applies the changes, as kube-scheduler starts from its defaults.
import type { ProfileConfig } from './framework/runtime.ts';
import { profileFor, type Policy } from './profiles.ts';

interface PluginRef {
  name: string;
  weight?: number;
}
interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}
interface ProfileSpec {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins?: Record<string, PluginSet>;
  pluginConfig?: { name: string; args?: any }[];
}
export interface KubeSchedulerConfiguration {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  profiles?: ProfileSpec[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const POINTS = ['preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'bind', 'multiPoint'];

/** Profiles from a configuration; throws ConfigError naming the field and the problem. */
export function profilesFromConfig(cfg: KubeSchedulerConfiguration, policy: Policy = 'spread', known?: Set<string>): ProfileConfig[] {
  if (cfg.kind && cfg.kind !== 'KubeSchedulerConfiguration') throw new ConfigError(`kind: must be KubeSchedulerConfiguration, got "${cfg.kind}"`);
  const specs = cfg.profiles?.length ? cfg.profiles : [{}];
  const names = new Set<string>();
  return specs.map((spec, i) => {
    const field = `profiles[${i}]`;
    const p = profileFor(policy, spec.schedulerName ?? 'default-scheduler');
    if (names.has(p.schedulerName)) throw new ConfigError(`${field}.schedulerName: Duplicate value: "${p.schedulerName}"`);
    names.add(p.schedulerName);
    const pct = spec.percentageOfNodesToScore ?? cfg.percentageOfNodesToScore;
    if (pct !== undefined) {
      if (typeof pct !== 'number' || pct < 0 || pct > 100) throw new ConfigError(`${field}.percentageOfNodesToScore: Invalid value: ${pct}: not in valid range [0-100]`);
      p.percentageOfNodesToScore = pct;
    }
    for (const [point, set] of Object.entries(spec.plugins ?? {})) {
      if (!POINTS.includes(point)) throw new ConfigError(`${field}.plugins.${point}: Unsupported value: "${point}": supported values: ${POINTS.join(', ')}`);
      for (const d of set.disabled ?? []) {
        if (d.name === '*') {
          if (point === 'score' || point === 'multiPoint') p.scoreWeights = {};
          if (point !== 'score') p.plugins = p.plugins.filter((n) => n === 'DefaultBinder' && point !== 'bind' && point !== 'multiPoint');
          continue;
        }
        if (point === 'score') delete p.scoreWeights[d.name];
        else {
          p.plugins = p.plugins.filter((n) => n !== d.name);
          delete p.scoreWeights[d.name];
        }
      }
      for (const e of set.enabled ?? []) {
        if (known && !known.has(e.name)) throw new ConfigError(`${field}.plugins.${point}.enabled: Invalid value: "${e.name}": unknown plugin`);
        if (!p.plugins.includes(e.name)) {
          // Before the binders, so filters and scorers run ahead of binding.
          const at = p.plugins.indexOf('DefaultBinder');
          if (at < 0 || point === 'bind') p.plugins.push(e.name);
          else p.plugins.splice(at, 0, e.name);
        }
        if (point === 'score' || point === 'multiPoint') p.scoreWeights[e.name] = e.weight ?? p.scoreWeights[e.name] ?? 1;
      }
    }
    for (const pc of spec.pluginConfig ?? []) {
      if (pc.name === 'NodeResourcesFit') {
        const t = pc.args?.scoringStrategy?.type;
        if (t === undefined) continue;
        if (t !== 'LeastAllocated' && t !== 'MostAllocated')
          throw new ConfigError(`${field}.pluginConfig[NodeResourcesFit].args.scoringStrategy.type: Unsupported value: "${t}": supported values: "LeastAllocated", "MostAllocated"`);
        p.scoringStrategy = t;
      }
    }
    return p;
  });
}
