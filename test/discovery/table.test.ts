// Table conversion for kubectl get.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable, wantsTable } from '../../src/apiserver/table.ts';
import type { ResourceType } from '../../src/api/resource.ts';
import { rt } from '../patch/fixtures.ts';

const withCols: ResourceType = {
  ...rt,
  table: {
    columns: [
      { name: 'Ready', type: 'string', description: 'r', priority: 0 },
      { name: 'Node', type: 'string', description: 'n', priority: 1 },
    ],
    cells: (o) => [`${o.status?.ready ?? 0}/1`, o.spec?.nodeName ?? '<none>'],
  },
};
const obj = { metadata: { name: 'a', namespace: 'ns', labels: { x: 'y' } }, spec: { nodeName: 'n1' }, status: { ready: 1 } };

test('wantsTable recognises kubectl get Accept headers', () => {
  assert.ok(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'));
  assert.ok(!wantsTable('application/json'));
  assert.ok(!wantsTable(undefined));
});

test('Name comes first; rows embed PartialObjectMetadata; list metadata is kept', () => {
  const t: any = toTable(withCols, [obj], { listMeta: { resourceVersion: '12' } });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '12' });
  assert.deepEqual(t.columnDefinitions.map((c: any) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Node', 1]]);
  assert.deepEqual(t.rows[0].cells, ['a', '1/1', 'n1']);
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata });
});

test('includeObject=Object embeds the whole object with its kind; None embeds nothing', () => {
  const t: any = toTable(withCols, [obj], { includeObject: 'Object' });
  assert.equal(t.rows[0].object.kind, 'Deployment');
  assert.equal(t.rows[0].object.spec.nodeName, 'n1');
  const n: any = toTable(withCols, [obj], { includeObject: 'None' });
  assert.equal('object' in n.rows[0], false);
});

test('kinds printed without a Name column (Event) get none prepended', () => {
  const ev: ResourceType = { ...withCols, table: { ...withCols.table, nameColumn: false } };
  const t: any = toTable(ev, [obj]);
  assert.deepEqual(t.columnDefinitions.map((c: any) => c.name), ['Ready', 'Node']);
  assert.deepEqual(t.rows[0].cells, ['1/1', 'n1']);
});
