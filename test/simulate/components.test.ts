// A scenario's kubelet / controllerManager / metricsServer blocks: Kubernetes' field names and
// defaults, clear errors for malformed values, and the options they become.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/simulate/index.ts';
import { COMPONENT_FIELDS, controllerOptions, DEFAULT_COMPONENTS, nodePoolTimings } from '../../src/simulate/components.ts';

const BASE = 'nodeGroups: [{ name: a, count: 1 }]\n';

test('without the blocks a scenario gets Kubernetes defaults (Lease 40 s renewed every 10 s, grace 40 s, HPA 15 s)', () => {
  const s = parseScenario(BASE);
  assert.deepEqual(s.components, DEFAULT_COMPONENTS);
  assert.deepEqual(nodePoolTimings(s.components!.kubelet), { heartbeatSeconds: 10, leaseDurationSeconds: 40, statusUpdateSeconds: 300 });
  const o = controllerOptions(s.components!.controllerManager);
  assert.equal(o.nodeMonitorGracePeriodSeconds, 40);
  assert.equal(o.nodeMonitorPeriodSeconds, 5);
  assert.equal(o.hpaSyncPeriodSeconds, 15);
  assert.equal(o.hpaDownscaleStabilizationSeconds, 300);
  assert.equal(s.components!.metricsServer.metricResolutionSeconds, 15);
});

test('the blocks set the node pools and the controller-manager, under Kubernetes names', () => {
  const s = parseScenario(
    BASE +
      'kubelet: { nodeLeaseDurationSeconds: 1200, nodeStatusReportFrequency: 1h }\n' +
      'controllerManager: { nodeMonitorGracePeriod: 20m, nodeMonitorPeriod: 2m, horizontalPodAutoscalerSyncPeriod: 1m, horizontalPodAutoscalerTolerance: 0.2, horizontalPodAutoscalerDownscaleStabilizationWindow: 10m, terminatedPodGCThreshold: 100, resourceQuotaSyncPeriod: 1m }\n' +
      'metricsServer: { metricResolution: 1m }\n',
  );
  assert.deepEqual(nodePoolTimings(s.components!.kubelet), { heartbeatSeconds: 300, leaseDurationSeconds: 1200, statusUpdateSeconds: 3600 });
  assert.deepEqual(
    { ...controllerOptions(s.components!.controllerManager) },
    {
      nodeMonitorGracePeriodSeconds: 1200,
      nodeMonitorPeriodSeconds: 120,
      hpaSyncPeriodSeconds: 60,
      hpaDownscaleStabilizationSeconds: 600,
      hpaTolerance: 0.2,
      hpaCpuInitializationPeriodSeconds: 300,
      hpaInitialReadinessDelaySeconds: 30,
      terminatedPodGCThreshold: 100,
      resourceQuotaSyncPeriodSeconds: 60,
    },
  );
  assert.equal(s.components!.metricsServer.metricResolutionSeconds, 60);
});

test('malformed component settings are rejected with the field named', () => {
  const cases: [string, RegExp][] = [
    ['kubelet: 5', /kubelet: must be a mapping/],
    ['kubelet: { nodeLeaseDuration: 40 }', /kubelet\.nodeLeaseDuration: unknown field \(supported: nodeLeaseDurationSeconds, nodeStatusReportFrequency\)/],
    ['kubelet: { nodeLeaseDurationSeconds: 40s }', /kubelet\.nodeLeaseDurationSeconds: must be an integer \(got "40s"\)/],
    ['kubelet: { nodeLeaseDurationSeconds: 2.5 }', /kubelet\.nodeLeaseDurationSeconds: must be an integer/],
    ['kubelet: { nodeLeaseDurationSeconds: 0 }', /kubelet\.nodeLeaseDurationSeconds: must be at least 1/],
    ['kubelet: { nodeStatusReportFrequency: soon }', /kubelet\.nodeStatusReportFrequency: invalid duration "soon"/],
    ['kubelet: { nodeStatusReportFrequency: 300 }', /kubelet\.nodeStatusReportFrequency: a duration with a unit, e\.g\. "40s", "5m" \(got 300\)/],
    ['controllerManager: { nodeMonitorPeriod: 0s }', /controllerManager\.nodeMonitorPeriod: must be at least 1s/],
    ['controllerManager: { horizontalPodAutoscalerTolerance: high }', /controllerManager\.horizontalPodAutoscalerTolerance: must be a number/],
    ['controllerManager: { podEvictionTimeout: 5m }', /controllerManager\.podEvictionTimeout: unknown field \(supported: nodeMonitorGracePeriod, /],
    ['metricsServer: { metricResolution: 0s }', /metricsServer\.metricResolution: must be at least 1s/],
    // the grace period must outlast a renewal, or healthy nodes flap to Unknown
    ['kubelet: { nodeLeaseDurationSeconds: 1200 }', /controllerManager\.nodeMonitorGracePeriod: 40s must be longer than the kubelet's Lease renew interval \(kubelet\.nodeLeaseDurationSeconds \/ 4 = 300s\)/],
    ['kubelet: { nodeLeaseDurationSeconds: 160 }\ncontrollerManager: { nodeMonitorGracePeriod: 40s }', /40s must be longer than .* = 40s\)/],
  ];
  for (const [text, want] of cases) assert.throws(() => parseScenario(BASE + text), want, text);
});

test('the day scenario heartbeats coarser, with the grace period four renewals as in Kubernetes', () => {
  const s = parseScenario(readFileSync(new URL('../../examples/scenarios/day-1000-nodes.yaml', import.meta.url), 'utf8'));
  const { kubelet, controllerManager } = s.components!;
  const renew = nodePoolTimings(kubelet).heartbeatSeconds!;
  assert.ok(renew > 10, 'coarser than the default 10 s');
  assert.equal(controllerManager.nodeMonitorGracePeriodSeconds, 4 * renew);
});

test('the schema documents every field the blocks accept, and only those', () => {
  const schema = JSON.parse(readFileSync(new URL('../../docs/simulate.schema.json', import.meta.url), 'utf8'));
  for (const [block, fields] of Object.entries(COMPONENT_FIELDS)) {
    assert.deepEqual(Object.keys(schema.properties[block].properties).sort(), [...fields].sort(), block);
    assert.equal(schema.properties[block].additionalProperties, false, block);
  }
});
