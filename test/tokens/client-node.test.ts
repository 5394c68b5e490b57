// @kubernetes/client-node asks for a TokenRequest as a typed client would, reads the token and
// expiration, and uses the token to talk to the server as the ServiceAccount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { clientNodeServer } from '../helpers/client-node.ts';

test('client-node: createNamespacedServiceAccountToken, then requests with that token', async () => {
  const s = await clientNodeServer();
  try {
    const core = s.kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'reader' } } });
    const tr = await core.createNamespacedServiceAccountToken({
      name: 'reader',
      namespace: 'default',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 1200 } },
    });
    assert.equal(tr.kind, 'TokenRequest');
    assert.deepEqual(tr.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(tr.spec.expirationSeconds, 1200);
    const token = tr.status!.token;
    assert.equal(token.split('.').length, 3);
    const exp = tr.status!.expirationTimestamp as unknown as Date;
    assert.ok(exp instanceof Date && Math.abs(exp.getTime() - (Date.now() + 1200_000)) < 60_000, String(exp));

    // The same server with the ServiceAccount's token.
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: s.srv.url, skipTLSVerify: true }],
      users: [{ name: 'reader', token }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'reader' }],
      currentContext: 'ctx',
    });
    const review = await kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    assert.equal(review.status?.userInfo?.username, 'system:serviceaccount:default:reader');
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedServiceAccount({ namespace: 'default' });
    assert.ok(list.items.some((x) => x.metadata?.name === 'reader'));

    // A broken token is refused with 401.
    const bad = new k8s.KubeConfig();
    bad.loadFromOptions({ clusters: [{ name: 'c', server: s.srv.url, skipTLSVerify: true }], users: [{ name: 'u', token: `${token}x` }], contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }], currentContext: 'ctx' });
    await assert.rejects(bad.makeApiClient(k8s.CoreV1Api).listNamespacedServiceAccount({ namespace: 'default' }), (e: any) => e.code === 401);
  } finally {
    await s.close();
  }
});
