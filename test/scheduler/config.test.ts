// KubeSchedulerConfiguration → profiles: plugins disabled/enabled with weights, scoring strategy,
// several profiles, and errors that name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, profilesFromConfig } from '../../src/scheduler/config.ts';

test('a configuration changes the policy profile: weights, disabled plugins, scoring strategy, percentage', () => {
  const [p, gpu] = profilesFromConfig({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    percentageOfNodesToScore: 50,
    profiles: [
      {
        schedulerName: 'default-scheduler',
        plugins: {
          score: { disabled: [{ name: 'NodeResourcesBalancedAllocation' }], enabled: [{ name: 'NodeAffinity', weight: 5 }] },
          filter: { disabled: [{ name: 'PodTopologySpread' }] },
        },
      },
      {
        schedulerName: 'gpu-packer',
        pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }],
      },
    ],
  });
  assert.equal(p.schedulerName, 'default-scheduler');
  assert.equal(p.percentageOfNodesToScore, 50);
  assert.equal(p.scoreWeights.NodeAffinity, 5);
  assert.equal(p.scoreWeights.NodeResourcesBalancedAllocation, undefined);
  assert.ok(!p.plugins.includes('PodTopologySpread'));
  assert.ok(p.plugins.includes('NodeResourcesBalancedAllocation')); // only its scoring was disabled
  assert.equal(p.scoringStrategy, 'LeastAllocated');
  assert.equal(gpu.schedulerName, 'gpu-packer');
  assert.equal(gpu.scoringStrategy, 'MostAllocated');
});

test('an empty configuration is the policy profile; bad values are rejected naming the field', () => {
  assert.deepEqual(profilesFromConfig({}, 'binpack').map((p) => [p.schedulerName, p.scoringStrategy]), [['default-scheduler', 'MostAllocated']]);
  const bad: [unknown, RegExp][] = [
    [{ kind: 'Pod' }, /^kind: must be KubeSchedulerConfiguration/],
    [{ profiles: [{}, {}] }, /^profiles\[1\]\.schedulerName: Duplicate value: "default-scheduler"/],
    [{ percentageOfNodesToScore: 120 }, /percentageOfNodesToScore: Invalid value: 120: not in valid range \[0-100\]/],
    [{ profiles: [{ plugins: { sideways: {} } }] }, /^profiles\[0\]\.plugins\.sideways: Unsupported value/],
    [{ profiles: [{ plugins: { score: { enabled: [{ name: 'Nope' }] } } }] }, /^profiles\[0\]\.plugins\.score\.enabled: Invalid value: "Nope": unknown plugin/],
    [{ profiles: [{ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'Random' } } }] }] }, /scoringStrategy\.type: Unsupported value: "Random"/],
  ];
  for (const [cfg, re] of bad) assert.throws(() => profilesFromConfig(cfg as any, 'spread', new Set(['NodeAffinity'])), (e: unknown) => e instanceof ConfigError && re.test((e as Error).message));
});
