// Profiles and out-of-tree plugins against the real API server: spec.schedulerName picks the
// profile (spread vs bin-pack side by side), and a failed binding is forgotten, reported and retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startScheduler, profileFor, type PluginFactory } from '../../src/scheduler/index.ts';
import { cluster, createAll, EVENTS, NODES, PODS } from './helpers.ts';
import { node, pod } from './fixtures.ts';
import { eventually } from '../helpers/eventually.ts';

const silent = pino({ level: 'silent' });

test('spec.schedulerName selects the profile: spread and bin-pack side by side', async () => {
  const c = await cluster();
  const s = await startScheduler({
    client: c.client,
    logger: silent,
    profiles: [profileFor('spread'), profileFor('binpack', 'binpack-scheduler')],
  });
  try {
    await createAll(c.client, NODES, [node('empty', { cpu: '4' }), node('busy', { cpu: '4' })]);
    await c.client.resource(PODS).create(pod('base', { cpu: '2', nodeName: 'busy' }), { namespace: 'default' });
    await eventually(() => s.scheduler.cache.getNode('busy')?.pods.size === 1, 'cache sees the bound pod');
    await createAll(c.client, PODS, [pod('spread-me', { cpu: '500m' }), pod('pack-me', { cpu: '500m', schedulerName: 'binpack-scheduler' })]);
    const where = async (n: string) => (await c.client.resource(PODS).get(n, { namespace: 'default' })).spec?.nodeName;
    assert.equal(await eventually(() => where('spread-me'), 'spread-me bound'), 'empty');
    assert.equal(await eventually(() => where('pack-me'), 'pack-me bound'), 'busy');
  } finally {
    await s.stop();
    await c.close();
  }
});

test('a failed binding is forgotten (no leaked assumption), reported, and retried after backoff', async () => {
  const c = await cluster();
  let failures = 1;
  // Fails the first binding, then lets DefaultBinder do the work.
  const flaky: PluginFactory = () => ({
    name: 'FlakyBinder',
    async bind() {
      if (failures-- > 0) return { code: 'Error', reasons: ['injected failure'] };
      return { code: 'Skip', reasons: [] };
    },
  });
  const profile = profileFor('spread');
  profile.plugins = profile.plugins.flatMap((p) => (p === 'DefaultBinder' ? ['FlakyBinder', 'DefaultBinder'] : [p]));
  const s = await startScheduler({ client: c.client, logger: silent, profiles: [profile], plugins: { FlakyBinder: flaky }, queue: { initialBackoffMs: 200 } });
  try {
    await c.client.resource(NODES).create(node('n1', { cpu: '1' }));
    await c.client.resource(PODS).create(pod('p', { cpu: '1' }), { namespace: 'default' });
    const failed = await eventually(async () => {
      const evs = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items as any[];
      return evs.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'p');
    }, 'FailedScheduling event for the binding');
    assert.equal(failed.message, 'Binding rejected: injected failure');
    // The full-node pod fits again only if the failed assumption was dropped.
    await eventually(async () => (await c.client.resource(PODS).get('p', { namespace: 'default' })).spec?.nodeName === 'n1', 'p bound on retry');
    await s.scheduler.drain();
    await eventually(() => s.scheduler.cache.assumedCount() === 0, 'the binding confirmed by the informer');
    assert.equal(s.scheduler.cache.getNode('n1')!.requested.milliCPU, 1000);
  } finally {
    await s.stop();
    await c.close();
  }
});
