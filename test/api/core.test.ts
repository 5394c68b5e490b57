// The typed core/v1 rules in src/api/core, table-driven against Kubernetes' semantics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  doNotScheduleEffects,
  findUntoleratedTaint,
  jsonEqual,
  metaNamespaceKey,
  nodeRequirementMatches,
  nodeSelectorMatches,
  nodeSelectorTermMatches,
  noExecuteEffect,
  podQOSClass,
  podRequests,
  requiredNodeAffinityMatches,
  splitMetaNamespaceKey,
  toleratesTaint,
  type NodeSelectorRequirement,
  type Taint,
  type Toleration,
} from '../../src/api/core/index.ts';

test('toleratesTaint follows Toleration.ToleratesTaint', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const cases: [string, Toleration, Taint, boolean][] = [
    ['Equal with same key and value', { key: 'k', operator: 'Equal', value: 'v' }, taint, true],
    ['empty operator means Equal', { key: 'k', value: 'v' }, taint, true],
    ['Equal with another value', { key: 'k', operator: 'Equal', value: 'w' }, taint, false],
    ['Equal with no value against a valued taint', { key: 'k', operator: 'Equal' }, taint, false],
    ['Equal with no value against a value-less taint', { key: 'k' }, { key: 'k', effect: 'NoSchedule' }, true],
    ['Exists with same key, any value', { key: 'k', operator: 'Exists' }, taint, true],
    ['Exists with another key', { key: 'j', operator: 'Exists' }, taint, false],
    ['Exists with no key tolerates everything', { operator: 'Exists' }, taint, true],
    ['matching effect', { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint, true],
    ['other effect', { key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint, false],
    ['empty effect matches every effect', { key: 'k', operator: 'Exists', effect: '' }, { ...taint, effect: 'NoExecute' }, true],
    ['unknown operator tolerates nothing', { key: 'k', operator: 'Gt', value: 'v' }, taint, false],
  ];
  for (const [name, tol, t, want] of cases) assert.equal(toleratesTaint(tol, t), want, name);
});

test('findUntoleratedTaint returns the first taint of the effects no toleration tolerates', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'a', effect: 'NoSchedule' },
    { key: 'b', effect: 'NoExecute' },
  ];
  assert.equal(findUntoleratedTaint(taints, [])?.key, 'soft');
  assert.equal(findUntoleratedTaint(taints, [], doNotScheduleEffects)?.key, 'a');
  assert.equal(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], doNotScheduleEffects)?.key, 'b');
  assert.equal(findUntoleratedTaint(taints, [], noExecuteEffect)?.key, 'b');
  assert.equal(findUntoleratedTaint(taints, [{ operator: 'Exists' }]), undefined);
  assert.equal(findUntoleratedTaint([], []), undefined);
});

test('node selector requirements: set operators and integer Gt/Lt', () => {
  const labels = { zone: 'a', cores: '8', big: '9223372036854775807', text: '8x', neg: '-3' };
  const cases: [NodeSelectorRequirement, boolean][] = [
    [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, true],
    [{ key: 'zone', operator: 'In', values: ['b'] }, false],
    [{ key: 'missing', operator: 'In', values: [''] }, false],
    [{ key: 'zone', operator: 'NotIn', values: ['b'] }, true],
    [{ key: 'missing', operator: 'NotIn', values: ['a'] }, true],
    [{ key: 'zone', operator: 'Exists' }, true],
    [{ key: 'missing', operator: 'Exists' }, false],
    [{ key: 'missing', operator: 'DoesNotExist' }, true],
    [{ key: 'cores', operator: 'Gt', values: ['4'] }, true],
    [{ key: 'cores', operator: 'Gt', values: ['8'] }, false],
    [{ key: 'cores', operator: 'Lt', values: ['10'] }, true],
    [{ key: 'cores', operator: 'Lt', values: ['+10'] }, true],
    [{ key: 'neg', operator: 'Lt', values: ['0'] }, true],
    [{ key: 'text', operator: 'Gt', values: ['1'] }, false], // "8x" is not an integer (parseInt would say 8)
    [{ key: 'cores', operator: 'Gt', values: ['4.5'] }, false], // the requirement value must be an integer
    [{ key: 'cores', operator: 'Gt', values: ['1', '2'] }, false], // exactly one value
    [{ key: 'cores', operator: 'Gt', values: [] }, false],
    [{ key: 'missing', operator: 'Lt', values: ['1'] }, false],
    [{ key: 'big', operator: 'Gt', values: ['9223372036854775806'] }, true], // compared as int64, not float
    [{ key: 'cores', operator: 'Gt', values: ['9223372036854775808'] }, false], // overflows int64
    [{ key: 'zone', operator: 'Equals', values: ['a'] }, false],
  ];
  for (const [r, want] of cases) assert.equal(nodeRequirementMatches(r, labels), want, JSON.stringify(r));
});

test('node selector terms: ANDed requirements, ORed terms, empty terms match nothing, matchFields on metadata.name', () => {
  const labels = { zone: 'a' };
  const cases: [string, object, boolean][] = [
    ['empty term', {}, false],
    ['term with empty lists', { matchExpressions: [], matchFields: [] }, false],
    ['expression matches', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, true],
    ['one of two fails', { matchExpressions: [{ key: 'zone', operator: 'Exists' }, { key: 'x', operator: 'Exists' }] }, false],
    ['field In', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, true],
    ['field In other node', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, false],
    ['field NotIn', { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }, true],
    ['field needs exactly one value', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }] }, false],
    ['field Exists is not a field operator', { matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }, false],
    ['other field keys are not supported', { matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['n1'] }] }, false],
    ['labels and fields together', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, true],
  ];
  for (const [name, term, want] of cases) assert.equal(nodeSelectorTermMatches(term, 'n1', labels), want, name);
  assert.equal(nodeSelectorMatches([], 'n1', labels), false, 'no terms match nothing');
  assert.equal(nodeSelectorMatches([{}, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], 'n1', labels), true, 'terms are ORed');
});

test('requiredNodeAffinityMatches: nodeSelector and required node affinity both hold', () => {
  const labels = { zone: 'a', disk: 'ssd' };
  const required = (terms: object[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  const cases: [string, object | undefined, boolean][] = [
    ['no spec', undefined, true],
    ['no constraints', {}, true],
    ['nodeSelector matches', { nodeSelector: { zone: 'a' } }, true],
    ['nodeSelector differs', { nodeSelector: { zone: 'b' } }, false],
    ['nodeSelector key missing', { nodeSelector: { gpu: '' } }, false],
    ['affinity matches', required([{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }]), true],
    ['affinity with an empty term only', required([{}]), false],
    ['affinity with no terms', required([]), false],
    ['preferred affinity alone does not filter', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] } } }, true],
    ['both must hold', { nodeSelector: { zone: 'b' }, ...required([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]) }, false],
  ];
  for (const [name, spec, want] of cases) assert.equal(requiredNodeAffinityMatches(spec, 'n1', labels), want, name);
});

test('podQOSClass follows GetPodQOS', () => {
  const c = (requests?: object, limits?: object) => ({ resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });
  const cases: [string, object, string][] = [
    ['no resources', { containers: [{}] }, 'BestEffort'],
    ['zero requests count as none', { containers: [c({ cpu: '0' })] }, 'BestEffort'],
    ['requests only', { containers: [c({ cpu: '100m' })] }, 'Burstable'],
    ['requests equal limits for cpu and memory', { containers: [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })] }, 'Guaranteed'],
    ['equal in other spellings', { containers: [c({ cpu: '1000m', memory: '1024Mi' }, { cpu: '1', memory: '1Gi' })] }, 'Guaranteed'],
    ['limits only: requests default to them', { containers: [c(undefined, { cpu: '1', memory: '1Gi' })] }, 'Guaranteed'],
    ['memory limit missing', { containers: [c({ cpu: '1' }, { cpu: '1' })] }, 'Burstable'],
    ['one container without limits', { containers: [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), {}] }, 'Burstable'],
    ['init containers count', { containers: [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], initContainers: [c({ cpu: '1' })] }, 'Burstable'],
  ];
  for (const [name, spec, want] of cases) assert.equal(podQOSClass(spec), want, name);
});

test('podRequests: containers summed, init containers as a floor, sidecars added, overhead on top', () => {
  const pod = (spec: object) => ({ metadata: { name: 'p' }, spec });
  assert.deepEqual(podRequests(pod({ containers: [{ resources: { requests: { cpu: '100m', memory: '1Mi' } } }, { resources: { limits: { cpu: '1' } } }] })), { milliCPU: 1100, memory: 1048576 });
  assert.deepEqual(podRequests(pod({ containers: [{ resources: { requests: { cpu: '100m' } } }], initContainers: [{ resources: { requests: { cpu: '2' } } }] })), { milliCPU: 2000, memory: 0 });
  assert.deepEqual(
    podRequests(pod({ containers: [{ resources: { requests: { cpu: '100m' } } }], initContainers: [{ restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } }], overhead: { cpu: '50m' } })),
    { milliCPU: 350, memory: 0 },
  );
  assert.deepEqual(podRequests(pod({ containers: [{ resources: { requests: { 'ephemeral-storage': '1Ki' } } }] })), { milliCPU: 0, memory: 0, scalar: { 'ephemeral-storage': 1024 } });
  assert.deepEqual(podRequests(pod({ containers: [{}] }), true), { milliCPU: 100, memory: 200 * 2 ** 20 });
  assert.deepEqual(podRequests(pod({ containers: [{ resources: { requests: { cpu: 'bogus' } } }] })), { milliCPU: 0, memory: 0 }, 'a malformed quantity counts as 0');
});

test('metaNamespaceKey and splitMetaNamespaceKey', () => {
  assert.equal(metaNamespaceKey({ metadata: { namespace: 'ns', name: 'a' } }), 'ns/a');
  assert.equal(metaNamespaceKey({ metadata: { name: 'node-1' } }), 'node-1');
  assert.equal(metaNamespaceKey({ metadata: { namespace: '', name: 'x' } }), 'x');
  assert.deepEqual(splitMetaNamespaceKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(splitMetaNamespaceKey('node-1'), { name: 'node-1' });
});

test('canonicalJson sorts keys at every level and leaves out undefined; jsonEqual ignores key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } }), '{"a":{"d":[{"x":2,"y":1}]},"b":1}');
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.equal(jsonEqual({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] }), true);
  assert.equal(jsonEqual({ a: 1, b: undefined }, { a: 1 }), true);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
  assert.equal(jsonEqual({ a: 1 }, { a: '1' }), false);
});

test('nearestRank: the q-quantile by nearest rank; none for no samples', async () => {
  const { nearestRank } = await import('../../src/api/core/quantile.ts');
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  for (const [q, want] of [[0, 1], [0.5, 5], [0.9, 9], [0.99, 10], [1, 10]] as const) assert.equal(nearestRank(s, q), want, `q=${q}`);
  assert.equal(nearestRank([], 0.5), undefined);
});
