// Malformed bodies never crash the resource model: defaults, strategy, validation and table cells
// either work or report field errors (the API server turns those into 422s, never 500s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { unknownFields } from '../../src/api/schema.ts';

const garbage: unknown[] = [null, 1, 'x', true, [], {}, [1, 'a', null], { a: 1 }, { containers: 'x' }, { selector: 'x', template: 5 }];

function variants(): any[] {
  const out: any[] = [];
  for (const g of garbage) {
    out.push({ metadata: { name: 'x', namespace: 'default' }, spec: g });
    out.push({ metadata: { name: 'x', namespace: 'default' }, spec: { containers: [g], template: { spec: { containers: [g] } }, ports: [g], selector: g, strategy: g, metrics: [g], scaleTargetRef: g } });
    out.push({ metadata: { name: 'x', namespace: 'default', labels: g, annotations: g, ownerReferences: g, finalizers: g }, status: g, data: g, subsets: [g] });
    out.push({ metadata: { name: 'x', namespace: 'default' }, spec: { template: { metadata: g, spec: g } }, status: { conditions: [g], containerStatuses: [g] }, involvedObject: g, regarding: g });
  }
  return out;
}

test('every kind survives malformed bodies and reports errors instead of throwing', () => {
  const now = new Date();
  for (const rt of registry.all()) {
    for (const v of variants()) {
      const o = structuredClone(v);
      if (!rt.namespaced) delete o.metadata.namespace;
      o.metadata.uid = 'u';
      const label = `${rt.group}/${rt.version}/${rt.plural} ${JSON.stringify(v).slice(0, 120)}`;
      assert.doesNotThrow(() => unknownFields(rt.schema, o), label);
      assert.doesNotThrow(() => rt.defaults(o), `defaults ${label}`);
      assert.doesNotThrow(() => rt.strategy.prepareForCreate?.(o), `prepareForCreate ${label}`);
      assert.doesNotThrow(() => rt.validate(o), `validate ${label}`);
      assert.doesNotThrow(() => rt.table.cells(o, now), `cells ${label}`);
      const old = structuredClone(o);
      assert.doesNotThrow(() => rt.strategy.prepareForUpdate?.(o, old), `prepareForUpdate ${label}`);
      assert.doesNotThrow(() => rt.strategy.prepareForStatusUpdate?.(o, old), `prepareForStatusUpdate ${label}`);
      assert.doesNotThrow(() => rt.validate(o, old), `validate(update) ${label}`);
      assert.doesNotThrow(() => rt.strategy.validateUpdate?.(o, old), `validateUpdate ${label}`);
    }
  }
});

test('malformed spec types are reported as field errors', () => {
  const deployments = registry.byResource('apps', 'v1', 'deployments')!;
  for (const g of [1, 'x', true, []]) {
    const o: any = { metadata: { name: 'x', namespace: 'default' }, spec: g };
    deployments.defaults(o);
    const errs = deployments.validate(o);
    assert.ok(errs.length > 0 && errs[0].field === 'spec', JSON.stringify(g));
  }
});
