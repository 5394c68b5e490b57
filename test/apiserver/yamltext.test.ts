// parseYamlText gives what the YAML parser gives: JSON text through JSON.parse (no duplicate key),
// the rest (YAML, JSON with a key twice) through the YAML parser, with its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { hasDuplicateKey, parseYamlText } from '../../src/apiserver/yamltext.ts';
import { seededRandom, type Random } from '../../src/clock/random.ts';

const STRINGS = ['', 'a', '__proto__', 'constructor', 'with "quotes"', 'back\\slash', 'slash/', 'tab\there', 'line\nbreak', 'ünïcødé', '😀', '\u2028', 'yes', 'null', '1e3', '- item', ': colon', '#hash', '{x}', '[y]', 'a: b'];

function value(r: Random, depth: number): unknown {
  const pick = r.int(depth > 3 ? 6 : 9);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r.int(2) === 0;
    case 2:
      return r.int(2000) - 1000;
    case 3:
      return [0.5, -1.25e-7, 1e21, 2 ** 53 + 2, -0.001, 123456789.125][r.int(6)];
    case 4:
    case 5:
      return STRINGS[r.int(STRINGS.length)];
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = r.int(5);
      for (let i = 0; i < n; i++) Object.defineProperty(o, STRINGS[r.int(STRINGS.length)] + (r.int(3) === 0 ? '' : String(i)), { value: value(r, depth + 1), enumerable: true, writable: true, configurable: true });
      return o;
    }
    default:
      return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
  }
}

test('JSON text: the same value as the YAML parser gives, compact and indented', () => {
  const r = seededRandom(7);
  for (let i = 0; i < 400; i++) {
    const v = { metadata: { name: 'x' }, spec: value(r, 0) };
    for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2), `  \n${JSON.stringify(v)}\n`]) {
      assert.deepStrictEqual(parseYamlText(text), parse(text), text);
    }
  }
});

test('a key twice in one object: the YAML parser\'s error; the same key in different objects is fine', () => {
  for (const text of ['{"a":1,"a":2}', '{"a":1,"\\u0061":2}', '{"x":{"k":1,"y":[],"k":2}}', '[{"a":1,"b":{"c":1,"c":1}}]']) {
    assert.equal(hasDuplicateKey(text), true, text);
    assert.throws(() => parse(text));
    assert.throws(() => parseYamlText(text), (e: Error) => {
      assert.throws(() => parse(text), { message: e.message });
      return true;
    });
  }
  for (const text of ['{"a":{"a":1}}', '[{"a":1},{"a":2}]', '{"a":"a","b":["a","a"]}', '{"a\\"":1,"a":2}', '{}', '[]']) {
    assert.equal(hasDuplicateKey(text), false, text);
    assert.deepStrictEqual(parseYamlText(text), parse(text), text);
  }
});

test('YAML text and text that is not JSON take the YAML parser', () => {
  for (const text of ['a: 1\nb: [x, y]\n', '{a: 1}', '[1, 2,]', '---\nkind: Pod\n', '']) {
    assert.deepStrictEqual(parseYamlText(text), parse(text), text);
  }
  assert.throws(() => parseYamlText('a: 1\na: 2\n'));
  assert.throws(() => parseYamlText('{"a": [1, 2}'));
});

test('an apply patch sent as JSON: applied when no key repeats; a repeated key is the YAML decoder\'s 400 and nothing is written', async () => {
  const { startTestServer, req } = await import('./helpers.ts');
  const srv = await startTestServer();
  try {
    const path = '/api/v1/namespaces/default/configmaps/c1?fieldManager=me';
    const ct = { 'Content-Type': 'application/apply-patch+yaml' };
    const ok = await req(srv.url, 'PATCH', path, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"a":"1"}}', ct);
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.body.data, { a: '1' });
    const rv = ok.body.metadata.resourceVersion;
    const bad = await req(srv.url, 'PATCH', path, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"a":"2","a":"3"}}', ct);
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.kind, 'Status');
    assert.equal(bad.body.reason, 'BadRequest');
    assert.match(bad.body.message, /^error decoding YAML: /);
    const after = await req(srv.url, 'GET', '/api/v1/namespaces/default/configmaps/c1');
    assert.deepEqual(after.body.data, { a: '1' });
    assert.equal(after.body.metadata.resourceVersion, rv, 'nothing written');
  } finally {
    await srv.close();
  }
});
