// apiserver_request_duration_seconds is observed without prom-client's per-call label work, into
// the values prom-client keeps: /metrics must render exactly what prom-client's own observe gives,
// also after a reset of the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { createMetrics } from '../../src/apiserver/metrics.ts';

const NAME = 'apiserver_request_duration_seconds';
const section = (text: string) => text.split('\n').filter((l) => l.includes(NAME)).join('\n');

function reference(observations: [string, string, string, number][]): Promise<string> {
  const registry = new client.Registry();
  const h = new client.Histogram({
    name: NAME,
    help: 'Response latency distribution in seconds for each verb, resource and scope (watches excluded).',
    labelNames: ['verb', 'resource', 'scope'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  for (const [verb, resource, scope, v] of observations) h.labels(verb, resource, scope).observe(v);
  return registry.metrics();
}

test('request durations render as prom-client observes them (bounds, beyond the last bucket, several label sets, reset)', async () => {
  const obs: [string, string, string, number][] = [
    ['GET', 'pods', 'namespace', 0.0003],
    ['GET', 'pods', 'namespace', 0.001], // on a bound
    ['GET', 'pods', 'namespace', 0.02],
    ['PUT', 'leases', 'resource', 0.004],
    ['PUT', 'leases', 'resource', 75], // past 60 s: +Inf only
    ['LIST', 'pods', 'cluster', 0.3],
  ];
  const m = createMetrics(() => 0);
  for (const [verb, resource, scope, v] of obs) m.observe(verb, resource, 200, v, scope);
  assert.equal(section(await m.registry.metrics()), section(await reference(obs)));
  // a reset empties the histogram; later observations count from zero
  m.registry.resetMetrics();
  const after: [string, string, string, number][] = [['GET', 'pods', 'namespace', 0.002]];
  for (const [verb, resource, scope, v] of after) m.observe(verb, resource, 200, v, scope);
  assert.equal(section(await m.registry.metrics()), section(await reference(after)));
  // watches are not observed
  m.observe('WATCH', 'pods', 200, 5, 'cluster');
  assert.equal(section(await m.registry.metrics()), section(await reference(after)));
});

test('request totals render as prom-client counts them (several label sets and codes, reset)', async () => {
  const TOTAL = 'apiserver_request_total';
  const lines = (text: string) => text.split('\n').filter((l) => l.includes(TOTAL)).join('\n');
  const reference = (reqs: [string, string, number][]) => {
    const registry = new client.Registry();
    const c = new client.Counter({ name: TOTAL, help: 'Counter of apiserver requests broken out for each verb, resource and HTTP response code.', labelNames: ['verb', 'resource', 'code'], registers: [registry] });
    for (const [verb, resource, code] of reqs) c.labels(verb, resource, String(code)).inc();
    return registry.metrics();
  };
  const reqs: [string, string, number][] = [
    ['PUT', 'leases', 200],
    ['PUT', 'leases', 200],
    ['PUT', 'leases', 409],
    ['GET', 'pods', 200],
    ['PUT', 'leases', 200],
    ['WATCH', 'pods', 200],
  ];
  const m = createMetrics(() => 0);
  for (const [verb, resource, code] of reqs) m.observe(verb, resource, code, 0.001, 'resource');
  assert.equal(lines(await m.registry.metrics()), lines(await reference(reqs)));
  m.registry.resetMetrics();
  const after: [string, string, number][] = [['PUT', 'leases', 200], ['PUT', 'leases', 200]];
  for (const [verb, resource, code] of after) m.observe(verb, resource, code, 0.001, 'resource');
  assert.equal(lines(await m.registry.metrics()), lines(await reference(after)));
});
