// kube-apiserver's request-limiting flags, shared by `kubesim apiserver` and `kubesim up`:
// --enable-priority-and-fairness (default true), --max-requests-inflight (400),
// --max-mutating-requests-inflight (200).
import type { Command } from 'commander';

export interface FlowControlFlags {
  enablePriorityAndFairness: string | boolean;
  maxRequestsInflight: string;
  maxMutatingRequestsInflight: string;
}

export function addFlowControlFlags(cmd: Command): Command {
  return cmd
    .option('--enable-priority-and-fairness [bool]', 'API Priority and Fairness (FlowSchemas, PriorityLevelConfigurations); false = the max-inflight limit only', 'true')
    .option('--max-requests-inflight <n>', 'the most non-mutating requests in flight; with priority and fairness, part of its concurrency limit (0 = no limit)', '400')
    .option('--max-mutating-requests-inflight <n>', 'the most mutating requests in flight; with priority and fairness, part of its concurrency limit (0 = no limit)', '200');
}

function count(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a non-negative integer (got "${v}")`);
  return n;
}

export function flowControlOptions(o: FlowControlFlags): { enablePriorityAndFairness: boolean; maxRequestsInflight: number; maxMutatingRequestsInflight: number } {
  const enable = o.enablePriorityAndFairness === true || o.enablePriorityAndFairness === 'true';
  if (!enable && o.enablePriorityAndFairness !== 'false' && o.enablePriorityAndFairness !== false) throw new Error(`--enable-priority-and-fairness must be true or false (got "${o.enablePriorityAndFairness}")`);
  return {
    enablePriorityAndFairness: enable,
    maxRequestsInflight: count('max-requests-inflight', o.maxRequestsInflight),
    maxMutatingRequestsInflight: count('max-mutating-requests-inflight', o.maxMutatingRequestsInflight),
  };
}
