// Webhook matchConditions get CEL's `authorizer` too (as Kubernetes gives it): checks go to the
// authorizer seam for the request's user; the condition's answer decides whether the webhook is called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthzAttributes, AuthzUser } from '../../src/api/cel/authz.ts';
import type { AdmissionAttributes } from '../../src/apiserver/pipeline/index.ts';
import { matchConditionsCompiler } from '../../src/apiserver/pipeline/webhooks/conditions.ts';
import { testRegistry } from '../apiserver/helpers.ts';

test('matchConditions: authorizer checks ask the seam for the request user', async () => {
  const rt = testRegistry().byResource('', 'v1', 'configmaps')!;
  const asked: string[] = [];
  const authorize = async (u: AuthzUser, c: AuthzAttributes) => {
    asked.push(`${u.username} ${c.verb} ${c.resource}/${c.subresource ?? ''} ${c.namespace ?? ''}`);
    return { decision: u.username === 'admin' ? ('allow' as const) : ('noOpinion' as const), reason: '' };
  };
  const attrs = (username: string): AdmissionAttributes => ({
    operation: 'CREATE',
    rt,
    info: { verb: 'create', group: '', version: 'v1', resource: 'configmaps', namespace: 'ns1', path: '' },
    namespace: 'ns1',
    name: 'c',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns1' } },
    dryRun: false,
    user: { username, groups: [] },
    warn: () => {},
    annotate: () => {},
    reinvocation: { isReinvoke: false, shouldReinvoke: false, values: new Map() },
  });
  // skip the webhook for users who may delete configmaps themselves
  const matcher = matchConditionsCompiler(authorize)([{ name: 'not-admins', expression: "!authorizer.requestResource.check('delete').allowed()" }]);
  const cases: [string, boolean][] = [
    ['admin', false],
    ['alice', true],
  ];
  for (const [user, want] of cases) {
    asked.length = 0;
    assert.equal(await matcher(attrs(user), { rt }), want, user);
    assert.deepEqual(asked, [`${user} delete configmaps/ ns1`], user);
  }
});
