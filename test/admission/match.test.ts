// Rule matching (operations, groups, versions, resources/subresources, scope) as Kubernetes'
// predicates/rules matcher decides it, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleMatches, type Rule, type RuleTarget } from '../../src/apiserver/pipeline/webhooks/match.ts';

const pod: RuleTarget = { operation: 'CREATE', group: '', version: 'v1', resource: 'pods', subresource: '', namespace: 'default', isNamespaceResource: false };
const rule = (r: Partial<Rule>): Rule => ({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: '*', ...r });

const cases: [string, Partial<Rule>, Partial<RuleTarget>, boolean][] = [
  ['wildcards match', {}, {}, true],
  ['operation listed', { operations: ['CREATE'] }, {}, true],
  ['operation not listed', { operations: ['UPDATE', 'DELETE'] }, {}, false],
  ['group', { apiGroups: ['apps'] }, {}, false],
  ['core group is ""', { apiGroups: [''] }, {}, true],
  ['version', { apiVersions: ['v2'] }, {}, false],
  ['resource', { resources: ['pods'] }, {}, true],
  ['* is not subresources', { resources: ['*'] }, { subresource: 'status' }, false],
  ['pods/status', { resources: ['pods/status'] }, { subresource: 'status' }, true],
  ['pods/status is not pods', { resources: ['pods/status'] }, {}, false],
  ['*/status', { resources: ['*/status'] }, { subresource: 'status' }, true],
  ['pods/*', { resources: ['pods/*'] }, { subresource: 'binding' }, true],
  ['pods/* includes pods', { resources: ['pods/*'] }, {}, true],
  ['*/*', { resources: ['*/*'] }, { subresource: 'eviction' }, true],
  ['Namespaced scope, namespaced object', { scope: 'Namespaced' }, {}, true],
  ['Cluster scope, namespaced object', { scope: 'Cluster' }, {}, false],
  ['Cluster scope, cluster object', { scope: 'Cluster' }, { namespace: '', resource: 'nodes' }, true],
  ['a Namespace is cluster-scoped', { scope: 'Cluster' }, { namespace: 'ns1', resource: 'namespaces', isNamespaceResource: true }, true],
  ['a Namespace is not Namespaced', { scope: 'Namespaced' }, { namespace: 'ns1', resource: 'namespaces', isNamespaceResource: true }, false],
  ['unknown scope', { scope: 'Other' }, {}, false],
];

for (const [name, r, t, want] of cases) {
  test(`rule: ${name}`, () => assert.equal(ruleMatches(rule(r), { ...pod, ...t }), want));
}
