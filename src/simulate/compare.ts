// What-if: the same scenario and seed under each KubeSchedulerConfiguration file (`--compare a.yaml
// b.yaml ...`). A file is checked against what kubesim's scheduler models (src/scheduler/config.ts:
// profiles by schedulerName, plugins enabled/disabled per extension point with score weights,
// NodeResourcesFit's scoringStrategy LeastAllocated/MostAllocated, percentageOfNodesToScore; plus
// podInitialBackoffSeconds/podMaxBackoffSeconds for the queue). Fields that only concern running the
// process (leader election, client connection, bind addresses, profiling, parallelism) are accepted
// and have no effect on a simulation; anything else that would change placement is refused with the
// field named, rather than silently ignored.
import { parse as parseYaml } from 'yaml';
import { ConfigError, profilesFromConfig, pluginRegistry, type KubeSchedulerConfiguration } from '../cluster/index.ts';

export interface SchedulerConfigFile {
  name: string;
  config: KubeSchedulerConfiguration;
  queue?: { initialBackoffMs?: number; maxBackoffMs?: number };
}

const MODELED = ['apiVersion', 'kind', 'profiles', 'percentageOfNodesToScore', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds'];
const OPERATIONAL = ['leaderElection', 'clientConnection', 'healthzBindAddress', 'metricsBindAddress', 'enableProfiling', 'enableContentionProfiling', 'parallelism', 'delayCacheUntilActive'];
const PROFILE_FIELDS = ['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig'];

/** Parses and checks one KubeSchedulerConfiguration; throws ConfigError naming the file and field. */
export function loadSchedulerConfig(text: string, name: string): SchedulerConfigFile {
  const fail = (msg: string): never => {
    throw new ConfigError(`${name}: ${msg}`);
  };
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (e) {
    fail(`not YAML: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('a KubeSchedulerConfiguration is a mapping');
  if (doc.kind !== 'KubeSchedulerConfiguration') fail(`kind: must be KubeSchedulerConfiguration, got ${JSON.stringify(doc.kind)}`);
  if (!/^kubescheduler\.config\.k8s\.io\/(v1|v1beta3)$/.test(String(doc.apiVersion))) fail(`apiVersion: must be kubescheduler.config.k8s.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
  for (const k of Object.keys(doc)) {
    if (MODELED.includes(k) || OPERATIONAL.includes(k)) continue;
    fail(k === 'extenders' ? 'extenders: not supported by kubesim simulate (no HTTP extenders in a simulated run)' : `${k}: not supported by kubesim's scheduler (supported: ${MODELED.join(', ')})`);
  }
  (doc.profiles ?? []).forEach((p: any, i: number) => {
    for (const k of Object.keys(p ?? {})) if (!PROFILE_FIELDS.includes(k)) fail(`profiles[${i}].${k}: not supported (supported: ${PROFILE_FIELDS.join(', ')})`);
    (p?.pluginConfig ?? []).forEach((pc: any, j: number) => {
      const args = Object.keys(pc?.args ?? {}).filter((a) => a !== 'apiVersion' && a !== 'kind');
      const strategy = Object.keys(pc?.args?.scoringStrategy ?? {}).filter((a) => a !== 'type');
      if (pc?.name !== 'NodeResourcesFit' || args.some((a) => a !== 'scoringStrategy') || strategy.length)
        fail(`profiles[${i}].pluginConfig[${j}]: only NodeResourcesFit args.scoringStrategy.type is modeled (got ${pc?.name}${args.length ? ` with ${args.join(', ')}` : ''}${strategy.length ? `, scoringStrategy.${strategy.join(', ')}` : ''})`);
    });
  });
  // The scheduler's own checks (plugin names, extension points, scoring strategies), now rather than mid-run.
  try {
    profilesFromConfig(doc, 'spread', new Set(Object.keys(pluginRegistry({}))));
  } catch (e) {
    fail((e as Error).message);
  }
  const secs = (v: unknown, f: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v > 0)) fail(`${f}: a positive number of seconds`);
    return (v as number) * 1000;
  };
  const initialBackoffMs = secs(doc.podInitialBackoffSeconds, 'podInitialBackoffSeconds');
  const maxBackoffMs = secs(doc.podMaxBackoffSeconds, 'podMaxBackoffSeconds');
  return { name, config: doc, ...(initialBackoffMs || maxBackoffMs ? { queue: { initialBackoffMs, maxBackoffMs } } : {}) };
}
