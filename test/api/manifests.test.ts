// Realistic manifests using most fields of each kind: strict decoding must accept them (a field
// missing from a schema would make `kubectl apply` reject a valid manifest) and they must validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { registry } from '../../src/api/registry.ts';
import { parseApiVersion } from '../../src/api/types.ts';
import { typeMismatches, unknownFields } from '../../src/api/schema.ts';
import { formatFieldError } from '../../src/api/errors.ts';

const docs = parseAllDocuments(readFileSync(new URL('./fixtures/manifests.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());

test('realistic manifests have no unknown fields, no type errors, and validate', () => {
  assert.ok(docs.length >= 14);
  for (const doc of docs) {
    const { group, version } = parseApiVersion(doc.apiVersion);
    const rt = registry.byKind(group, version, doc.kind);
    assert.ok(rt, `${doc.apiVersion} ${doc.kind} registered`);
    const label = `${doc.kind}/${doc.metadata.name}`;
    assert.deepEqual(unknownFields(rt.schema, doc), [], `${label} unknown fields`);
    assert.deepEqual(typeMismatches(rt.schema, doc), [], `${label} type mismatches`);
    const o = structuredClone(doc);
    o.metadata.uid = 'uid-1';
    rt.defaults(o);
    rt.strategy.prepareForCreate?.(o);
    assert.deepEqual(rt.validate(o).map(formatFieldError), [], `${label} validation`);
    // defaults are idempotent: a second pass changes nothing
    const again = structuredClone(o);
    rt.defaults(again);
    assert.deepEqual(again, o, `${label} defaults idempotent`);
  }
});
