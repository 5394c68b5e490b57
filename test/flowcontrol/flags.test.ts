// The CLI's request-limiting flags: Kubernetes' names and defaults, checked values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addFlowControlFlags, flowControlOptions } from '../../src/cli/flowcontrol-flags.ts';

const parse = (args: string[]) => {
  const cmd = addFlowControlFlags(new Command('apiserver').exitOverride());
  cmd.parse(args, { from: 'user' });
  return flowControlOptions(cmd.opts() as any);
};

test('--enable-priority-and-fairness, --max-requests-inflight, --max-mutating-requests-inflight', () => {
  assert.deepEqual(parse([]), { enablePriorityAndFairness: true, maxRequestsInflight: 400, maxMutatingRequestsInflight: 200 });
  assert.deepEqual(parse(['--enable-priority-and-fairness', 'false', '--max-requests-inflight', '10', '--max-mutating-requests-inflight', '0']), { enablePriorityAndFairness: false, maxRequestsInflight: 10, maxMutatingRequestsInflight: 0 });
  assert.equal(parse(['--enable-priority-and-fairness']).enablePriorityAndFairness, true);
  assert.equal(parse(['--enable-priority-and-fairness=false']).enablePriorityAndFairness, false);
  assert.throws(() => parse(['--max-requests-inflight', '-1']), /--max-requests-inflight must be a non-negative integer/);
  assert.throws(() => parse(['--enable-priority-and-fairness', 'maybe']), /must be true or false/);
});
