// The plugin registry and the profiles each policy stands for. kube-scheduler's default profile
// order and weights, with the scoring strategy swapped per policy.
import type { Handle } from './framework/interface.ts';
import type { PluginFactory, ProfileConfig } from './framework/runtime.ts';
import { BalancedAllocation, NodeResourcesFit, type ScoringStrategy } from './plugins/noderesources.ts';
import { NodeAffinity, NodeName, NodeUnschedulable, TaintToleration } from './plugins/nodebasics.ts';
import { PodTopologySpread } from './plugins/podtopologyspread.ts';
import { InterPodAffinity } from './plugins/interpodaffinity.ts';
import { RoundRobin } from './plugins/roundrobin.ts';
import { DefaultBinder, type Binder } from './plugins/binding.ts';
import { DefaultPreemption, type Evictor } from './plugins/preemption.ts';
import { VolumeBinding, type VolumeBindingOptions, type VolumeLister, type VolumeWriter } from './plugins/volumebinding.ts';

export type Policy = 'spread' | 'binpack' | 'round-robin';
export const POLICIES: Policy[] = ['spread', 'binpack', 'round-robin'];

/** The in-tree plugins by name; `extra` adds out-of-tree ones (or replaces in-tree ones). */
export function pluginRegistry(
  opts: { binder?: Binder; evictor?: Evictor; volumes?: { lister: VolumeLister; writer: VolumeWriter } & VolumeBindingOptions; extra?: Record<string, PluginFactory> } = {},
): Record<string, PluginFactory> {
  return {
    NodeUnschedulable: () => new NodeUnschedulable(),
    NodeName: () => new NodeName(),
    TaintToleration: () => new TaintToleration(),
    NodeAffinity: () => new NodeAffinity(),
    NodeResourcesFit: (h, profile) => new NodeResourcesFit(profile.scoringStrategy ?? 'LeastAllocated', h),
    PodTopologySpread: () => new PodTopologySpread(),
    InterPodAffinity: (h: Handle) => new InterPodAffinity(h),
    VolumeBinding: () => new VolumeBinding(opts.volumes?.lister, opts.volumes?.writer, opts.volumes),
    DefaultPreemption: (h) => new DefaultPreemption(h, opts.evictor),
    NodeResourcesBalancedAllocation: () => new BalancedAllocation(),
    RoundRobin: () => new RoundRobin(),
    DefaultBinder: () => new DefaultBinder(opts.binder),
    ...opts.extra,
  };
}

const FILTERS = [
  'NodeUnschedulable',
  'NodeName',
  'TaintToleration',
  'NodeAffinity',
  'NodeResourcesFit',
  'VolumeBinding',
  'PodTopologySpread',
  'InterPodAffinity',
  'DefaultPreemption',
];

/** The profile for a policy: spread = LeastAllocated, binpack = MostAllocated, round-robin = RoundRobin only. */
export function profileFor(policy: Policy, schedulerName = 'default-scheduler'): ProfileConfig {
  if (policy === 'round-robin') {
    return {
      schedulerName,
      plugins: [...FILTERS, 'RoundRobin', 'DefaultBinder'],
      scoreWeights: { RoundRobin: 1 },
      scoringStrategy: 'LeastAllocated',
      // The cycle must see every feasible node to find the next one in name order.
      percentageOfNodesToScore: 100,
    };
  }
  return {
    schedulerName,
    plugins: [...FILTERS, 'NodeResourcesBalancedAllocation', 'DefaultBinder'],
    scoreWeights: {
      TaintToleration: 3,
      NodeAffinity: 2,
      PodTopologySpread: 2,
      InterPodAffinity: 2,
      NodeResourcesFit: 1,
      NodeResourcesBalancedAllocation: policy === 'binpack' ? 0 : 1,
    },
    scoringStrategy: strategyFor(policy),
  };
}

export function strategyFor(policy: Policy): ScoringStrategy {
  return policy === 'binpack' ? 'MostAllocated' : 'LeastAllocated';
}
