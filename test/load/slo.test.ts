// SLO evaluation: which rows each SLO covers, the worst p99, PASS/FAIL/NO DATA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSlos, sloPassed } from '../../src/load/slo.ts';
import type { RequestRow } from '../../src/load/requests.ts';
import { summarize } from '../../src/load/stats.ts';

const row = (verb: string, resource: string, scope: RequestRow['scope'], p99Ms: number, count = 10, errors = 0): RequestRow => ({ verb, resource, scope, count, errors, p50Ms: p99Ms / 2, p90Ms: p99Ms, p99Ms });

test('each API SLO takes the worst p99 of the pairs it covers', () => {
  const client = [
    row('POST', 'configmaps', 'resource', 20),
    row('PATCH', 'deployments', 'resource', 1200),
    row('GET', 'secrets', 'resource', 3),
    row('LIST', 'configmaps', 'namespace', 4900),
    row('LIST', 'pods', 'cluster', 31000),
    row('DELETECOLLECTION', 'pods', 'namespace', 99999),
  ];
  const by = Object.fromEntries(evaluateSlos({ client }).map((s) => [s.slo.split(':')[0], s]));
  assert.deepEqual([by['mutating API calls, single object'].status, by['mutating API calls, single object'].worst, by['mutating API calls, single object'].measuredMs], ['FAIL', 'PATCH deployments', 1200]);
  assert.equal(by['read-only API calls, single object'].status, 'PASS');
  assert.equal(by['LIST in a namespace'].status, 'PASS', 'DELETECOLLECTION is not a LIST');
  assert.equal(by['LIST of the cluster'].status, 'FAIL');
});

test('thresholds are inclusive; no rows is NO DATA, which does not fail the run', () => {
  const slos = evaluateSlos({ client: [row('GET', 'pods', 'resource', 1000)] });
  assert.equal(slos.find((s) => s.slo.startsWith('read-only'))!.status, 'PASS');
  assert.equal(slos.find((s) => s.slo.startsWith('mutating'))!.status, 'NO DATA');
  assert.ok(sloPassed(slos));
});

test('rows with only errors measure nothing; server rows appear only where they have data', () => {
  const slos = evaluateSlos({ client: [row('POST', 'pods', 'resource', 5, 3, 3)], server: [row('PUT', 'leases', 'resource', 2000)] });
  assert.equal(slos.find((s) => s.source === 'client' && s.slo.startsWith('mutating'))!.status, 'NO DATA');
  const server = slos.filter((s) => s.source === 'server');
  assert.deepEqual(server.map((s) => [s.status, s.worst]), [['FAIL', 'PUT leases']]);
  assert.equal(sloPassed(slos), false);
});

test('pod startup SLOs: created → running and created → Ready, p99 ≤ 5 s', () => {
  const slos = evaluateSlos({ client: [], podStartup: { createdToRunning: summarize([100, 200, 4999]), createdToReady: summarize([100, 6000]) } });
  const pods = slos.filter((s) => s.source === 'watch');
  assert.deepEqual(pods.map((s) => s.status), ['PASS', 'FAIL']);
  assert.deepEqual(evaluateSlos({ client: [], podStartup: { createdToRunning: summarize([]), createdToReady: summarize([]) } }).filter((s) => s.source === 'watch').map((s) => s.status), ['NO DATA', 'NO DATA']);
});
