// Pure rules beside the ServiceAccount token volume: ServiceAccount admission's mount decision,
// the token manager's 80% refresh, and the kubelet's service environment variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountServiceAccountToken, SERVICE_ACCOUNT_MOUNT_PATH } from '../../src/apiserver/pipeline/service-account.ts';
import { TokenCache, tokenNeedsRefresh, type ConfigSource } from '../../src/node/process/config.ts';
import { serviceEnv } from '../../src/node/process/svcenv.ts';

const pod = (spec: any): any => ({ metadata: { name: 'p', namespace: 'ns' }, spec });

test('ServiceAccount admission: which containers get the token mount', () => {
  const cases: { what: string; spec: any; sa?: any; volume: boolean; mounted: string[] }[] = [
    { what: 'default: every container and init container', spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b' }] }, volume: true, mounted: ['i', 'a', 'b'] },
    { what: 'pod opts out', spec: { automountServiceAccountToken: false, containers: [{ name: 'a' }] }, volume: false, mounted: [] },
    { what: 'ServiceAccount opts out', spec: { containers: [{ name: 'a' }] }, sa: { automountServiceAccountToken: false }, volume: false, mounted: [] },
    { what: 'pod overrides the ServiceAccount', spec: { automountServiceAccountToken: true, containers: [{ name: 'a' }] }, sa: { automountServiceAccountToken: false }, volume: true, mounted: ['a'] },
    {
      what: 'a container with its own mount there keeps it',
      spec: { volumes: [{ name: 'mine', emptyDir: {} }], containers: [{ name: 'a', volumeMounts: [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }, { name: 'b' }] },
      volume: true,
      mounted: ['b'],
    },
  ];
  for (const c of cases) {
    const p = pod(structuredClone(c.spec));
    mountServiceAccountToken(p, c.sa, 'abcde');
    const vol = (p.spec.volumes ?? []).find((v: any) => v.name === 'kube-api-access-abcde');
    assert.equal(!!vol, c.volume, c.what);
    const mounted = [...(p.spec.initContainers ?? []), ...p.spec.containers].filter((k: any) => (k.volumeMounts ?? []).some((m: any) => m.name === 'kube-api-access-abcde')).map((k: any) => k.name);
    assert.deepEqual(mounted, c.mounted, c.what);
    if (vol) assert.deepEqual(vol.projected.sources.map((s: any) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI'], c.what);
  }
});

test('tokens are refreshed once 80% of their lifetime has passed', async () => {
  assert.equal(tokenNeedsRefresh(0, 1000, 799), false);
  assert.equal(tokenNeedsRefresh(0, 1000, 800), true);
  let now = 0;
  let issued = 0;
  const src: ConfigSource = { get: async () => undefined, token: async () => ({ token: `t${++issued}`, lifetimeMs: 3_607_000 }) };
  const cache = new TokenCache(() => now);
  const ask = { namespace: 'ns', serviceAccount: 'default', pod: { name: 'p', uid: 'u1' }, expirationSeconds: 3607 };
  assert.equal(await cache.get(src, ask), 't1');
  now = 2_885_000; // < 80%
  assert.equal(await cache.get(src, ask), 't1');
  now = 2_886_000; // >= 80% of 3607 s
  assert.equal(await cache.get(src, ask), 't2');
  cache.forget('u1');
  assert.equal(await cache.get(src, ask), 't3');
});

test('service environment variables: the kubernetes Service always, the namespace Services with service links', () => {
  const svc = (ns: string, name: string, ip: string, ports: any[]): any => ({ metadata: { namespace: ns, name }, spec: { clusterIP: ip, ports } });
  const services = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('ns', 'my-web', '10.96.0.20', [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090, protocol: 'TCP' }]),
    svc('ns', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
  ];
  const env = serviceEnv(services, 'ns', undefined);
  assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
  assert.equal(env.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
  assert.equal(env.get('KUBERNETES_PORT'), 'tcp://10.96.0.1:443');
  assert.equal(env.get('KUBERNETES_PORT_443_TCP_ADDR'), '10.96.0.1');
  assert.equal(env.get('MY_WEB_SERVICE_HOST'), '10.96.0.20');
  assert.equal(env.get('MY_WEB_SERVICE_PORT'), '80');
  assert.equal(env.get('MY_WEB_SERVICE_PORT_METRICS'), '9090');
  assert.equal(env.get('MY_WEB_PORT_9090_TCP'), 'tcp://10.96.0.20:9090');
  assert.equal(env.get('MY_WEB_PORT_80_TCP_PROTO'), 'tcp');
  assert.equal(env.has('HEADLESS_SERVICE_HOST'), false);
  assert.equal(env.has('ELSEWHERE_SERVICE_HOST'), false);
  const noLinks = serviceEnv(services, 'ns', false);
  assert.equal(noLinks.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(noLinks.has('MY_WEB_SERVICE_HOST'), false);
});
