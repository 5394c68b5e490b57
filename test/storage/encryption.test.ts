// Encryption at rest: the EncryptingStore keeps the Store contract over memory and SQLite, stores
// Kubernetes' prefixed values, rotates keys, and validates EncryptionConfiguration as Kubernetes does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MemoryStore } from '../../src/storage/memory.ts';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import type { Store } from '../../src/storage/interface.ts';
import { EncryptingStore, isEnvelope, parseEncryptionConfiguration, validateEncryptionConfiguration, type EncryptionConfiguration } from '../../src/storage/encryption/index.ts';
import { secretbox } from '../../src/storage/encryption/transformers.ts';
import { runStoreConformance } from './conformance.ts';
import { tempDir } from './helpers.ts';

const KEY1 = Buffer.alloc(32, 1).toString('base64');
const KEY2 = Buffer.alloc(16, 2).toString('base64');

function config(providers: EncryptionConfiguration['resources'][0]['providers'], resources = ['secrets', 'configmaps']): EncryptionConfiguration {
  return { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources, providers }] };
}
const gcm1 = config([{ aesgcm: { keys: [{ name: 'key1', secret: KEY1 }] } }, { identity: {} }]);
const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' }, data: { password: 'czNjcjN0' } });

runStoreConformance('encrypted memory (aesgcm)', async () => {
  const store = new EncryptingStore(new MemoryStore(), gcm1);
  return { store, cleanup: () => store.close() };
});

/** An encrypted SQLite store in a temp dir that can be reopened (durable conformance). */
function encryptedSqlite(cfg: EncryptionConfiguration) {
  const tmp = tempDir();
  let store: Store = new EncryptingStore(new SqliteStore({ dataDir: tmp.dir }), cfg);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new EncryptingStore(new SqliteStore({ dataDir: tmp.dir }), cfg);
      return store;
    },
    cleanup: async () => {
      await store.close();
      tmp.remove();
    },
  };
}

runStoreConformance('encrypted sqlite (aescbc, *.*)', async () => encryptedSqlite(config([{ aescbc: { keys: [{ name: 'k', secret: KEY2 }] } }], ['*.*'])));

const SB1 = Buffer.alloc(32, 3).toString('base64');
const SB2 = Buffer.alloc(32, 4).toString('base64');
const box1 = config([{ secretbox: { keys: [{ name: 'sb1', secret: SB1 }] } }]);

runStoreConformance('encrypted memory (secretbox)', async () => {
  const store = new EncryptingStore(new MemoryStore(), box1);
  return { store, cleanup: () => store.close() };
});

runStoreConformance('encrypted sqlite (secretbox, *.)', async () => encryptedSqlite(config([{ secretbox: { keys: [{ name: 'sb', secret: SB2 }] } }, { identity: {} }], ['*.'])));

test('a secret is stored with the k8s:enc:aesgcm:v1:key1: prefix and read back in plaintext', async () => {
  const mem = new MemoryStore();
  const s = new EncryptingStore(mem, gcm1);
  const created = await s.create('/registry/core/secrets/ns/a', secret('a'));
  assert.deepEqual(created.object.data, { password: 'czNjcjN0' });
  assert.equal(created.object.metadata.resourceVersion, String(created.modRevision));
  assert.equal(JSON.parse(created.json!).data.password, 'czNjcjN0');
  const raw = (await mem.get('/registry/core/secrets/ns/a'))!.object as unknown as { value: string };
  assert.ok(isEnvelope(raw));
  assert.match(raw.value, /^k8s:enc:aesgcm:v1:key1:/);
  assert.ok(!JSON.stringify(raw).includes('czNjcjN0'), 'no plaintext in the stored value');
  assert.deepEqual((await s.get('/registry/core/secrets/ns/a'))!.object.data, { password: 'czNjcjN0' });
  // Other resources are stored as they are.
  await s.create('/registry/core/pods/ns/p', { metadata: { name: 'p' } });
  assert.ok(!isEnvelope((await mem.get('/registry/core/pods/ns/p'))!.object));
});

test('the storage key is authenticated: a value moved to another key does not decrypt', async () => {
  const mem = new MemoryStore();
  const s = new EncryptingStore(mem, gcm1);
  await s.create('/registry/core/secrets/ns/a', secret('a'));
  await mem.create('/registry/core/secrets/ns/b', (await mem.get('/registry/core/secrets/ns/a'))!.object);
  await assert.rejects(s.get('/registry/core/secrets/ns/b'), /failed to decrypt/);
});

test('key rotation: new key first, old second, reads old data and writes with the new key', async () => {
  const mem = new MemoryStore();
  await new EncryptingStore(mem, gcm1).create('/registry/core/secrets/ns/a', secret('a'));
  const rotated = new EncryptingStore(mem, config([{ aesgcm: { keys: [{ name: 'key2', secret: KEY2 }, { name: 'key1', secret: KEY1 }] } }]));
  const old = (await rotated.get('/registry/core/secrets/ns/a'))!;
  assert.deepEqual(old.object.data, { password: 'czNjcjN0' });
  await rotated.update('/registry/core/secrets/ns/a', old.object);
  assert.match(((await mem.get('/registry/core/secrets/ns/a'))!.object as any).value, /^k8s:enc:aesgcm:v1:key2:/);
  // Without the key that wrote it, the value cannot be read.
  const other = new EncryptingStore(mem, config([{ aescbc: { keys: [{ name: 'key1', secret: KEY1 }] } }]));
  await assert.rejects(other.get('/registry/core/secrets/ns/a'), /no matching prefix found/);
});

test('identity first writes plaintext and still reads encrypted data; plaintext needs identity among the providers', async () => {
  const mem = new MemoryStore();
  await new EncryptingStore(mem, gcm1).create('/registry/core/secrets/ns/a', secret('a'));
  const id = new EncryptingStore(mem, config([{ identity: {} }, { aesgcm: { keys: [{ name: 'key1', secret: KEY1 }] } }]));
  assert.deepEqual((await id.get('/registry/core/secrets/ns/a'))!.object.data, { password: 'czNjcjN0' });
  await id.create('/registry/core/secrets/ns/plain', secret('plain'));
  assert.deepEqual((await mem.get('/registry/core/secrets/ns/plain'))!.object.data, { password: 'czNjcjN0' });
  const strict = new EncryptingStore(mem, config([{ aesgcm: { keys: [{ name: 'key1', secret: KEY1 }] } }]));
  await assert.rejects(strict.get('/registry/core/secrets/ns/plain'), /no matching prefix found/);
  assert.equal((await id.list('/registry/core/secrets/')).items.length, 2);
});

test('watch events from the backend arrive decrypted (object and prevObject)', async () => {
  const s = new EncryptingStore(new MemoryStore(), gcm1);
  const seen: { type: string; data: unknown; prev?: unknown; rv: string }[] = [];
  const stop = s.watch('/registry/core/secrets/', 0, (ev) => seen.push({ type: ev.type, data: ev.object.data, prev: ev.prevObject?.data, rv: ev.object.metadata.resourceVersion! }));
  const a = await s.create('/registry/core/secrets/ns/a', secret('a'));
  await s.update('/registry/core/secrets/ns/a', { ...secret('a'), data: { password: 'bmV3' } }, a.modRevision);
  await s.delete('/registry/core/secrets/ns/a');
  stop();
  assert.deepEqual(seen, [
    { type: 'ADDED', data: { password: 'czNjcjN0' }, prev: undefined, rv: '1' },
    { type: 'MODIFIED', data: { password: 'bmV3' }, prev: { password: 'czNjcjN0' }, rv: '2' },
    { type: 'DELETED', data: { password: 'bmV3' }, prev: { password: 'bmV3' }, rv: '3' },
  ]);
});

test('raw SQLite rows of encrypted resources start with the Kubernetes prefix (in the envelope)', async () => {
  const tmp = tempDir();
  const s = new EncryptingStore(new SqliteStore({ dataDir: tmp.dir }), gcm1);
  await s.create('/registry/core/secrets/ns/a', secret('a'));
  await s.close();
  const db = new Database(join(tmp.dir, 'kubesim.db'), { readonly: true });
  const row = db.prepare('SELECT value FROM current WHERE key = ?').get('/registry/core/secrets/ns/a') as { value: string };
  db.close();
  tmp.remove();
  assert.match(JSON.parse(row.value).value, /^k8s:enc:aesgcm:v1:key1:/);
  assert.ok(!row.value.includes('czNjcjN0'));
});

test('EncryptionConfiguration validation, worded as Kubernetes words it', () => {
  const cases: [string, EncryptionConfiguration, string | undefined][] = [
    ['valid', gcm1, undefined],
    ['short aesgcm key', config([{ aesgcm: { keys: [{ name: 'k', secret: Buffer.alloc(10).toString('base64') }] } }]), 'resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 10, expected one of [16 24 32]'],
    ['short aescbc key', config([{ aescbc: { keys: [{ name: 'k', secret: Buffer.alloc(20).toString('base64') }] } }]), 'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 20, expected one of [16 24 32]'],
    ['not base64', config([{ aesgcm: { keys: [{ name: 'k', secret: 'not base64!' }] } }]), 'resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded'],
    ['no keys', config([{ aesgcm: { keys: [] } }]), 'resources[0].providers[0].aesgcm.keys: Required value: at least one keys is required'],
    ['no key name', config([{ aesgcm: { keys: [{ name: '', secret: KEY1 }] } }]), 'resources[0].providers[0].aesgcm.keys[0].name: Required value: name is a mandatory field for a key'],
    ['two in one', config([{ aesgcm: { keys: [{ name: 'k', secret: KEY1 }] }, identity: {} }]), 'resources[0].providers[0]: Invalid value: more than one provider specified in a single element, should split into different list elements'],
    ['empty provider', config([{}]), 'resources[0].providers[0]: Invalid value: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity'],
    ['secretbox', box1, undefined],
    ['short secretbox key', config([{ secretbox: { keys: [{ name: 'k', secret: KEY2 }] } }]), 'resources[0].providers[0].secretbox.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 16, expected one of [32]'],
    ['no secretbox keys', config([{ secretbox: { keys: [] } }]), 'resources[0].providers[0].secretbox.keys: Required value: at least one keys is required'],
    ['star', config([{ identity: {} }], ['*']), `resources[0].resources[0]: Invalid value: "*": use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources`],
    ['overlap', config([{ identity: {} }], ['secrets', '*.']), `resources[0].resources: Invalid value: []string{"secrets", "*."}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`],
    ['across groups', config([{ identity: {} }], ['deployments.*']), 'resources[0].resources[0]: Invalid value: "deployments.*": encrypting the same resource across groups is not supported'],
    ['no resources', { resources: [] }, 'resources: Required value: at least one resources is required'],
  ];
  for (const [name, cfg, want] of cases) {
    const errs = validateEncryptionConfiguration(cfg);
    if (want === undefined) assert.deepEqual(errs, [], name);
    else assert.ok(errs.includes(want), `${name}: ${JSON.stringify(errs)}`);
  }
});

test('the YAML file form parses; errors name the file', () => {
  const yaml = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${KEY1}
      - identity: {}
`;
  assert.equal(parseEncryptionConfiguration(yaml).resources[0].providers.length, 2);
  assert.throws(() => parseEncryptionConfiguration(yaml.replace(KEY1, 'c2hvcnQ='), 'enc.yaml'), /^Error: error while parsing file enc.yaml: .*got 5, expected one of \[16 24 32\]/);
});

test('resource patterns: exact names before *.<group> before *.*', async () => {
  const mem = new MemoryStore();
  const cfg: EncryptionConfiguration = {
    resources: [
      { resources: ['*.*'], providers: [{ identity: {} }] },
      { resources: ['*.apps'], providers: [{ aescbc: { keys: [{ name: 'apps', secret: KEY2 }] } }] },
      { resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'key1', secret: KEY1 }] } }] },
    ],
  };
  const s = new EncryptingStore(mem, cfg);
  await s.create('/registry/core/secrets/ns/a', secret('a'));
  await s.create('/registry/apps/deployments/ns/d', { metadata: { name: 'd' } });
  await s.create('/registry/core/configmaps/ns/c', { metadata: { name: 'c' } });
  assert.match(((await mem.get('/registry/core/secrets/ns/a'))!.object as any).value, /^k8s:enc:aesgcm:v1:key1:/);
  assert.match(((await mem.get('/registry/apps/deployments/ns/d'))!.object as any).value, /^k8s:enc:aescbc:v1:apps:/);
  assert.ok(!isEnvelope((await mem.get('/registry/core/configmaps/ns/c'))!.object));
});

// NaCl's published crypto_secretbox_xsalsa20poly1305 test vector ("Cryptography in NaCl", public domain).
const NACL = {
  key: '1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389',
  nonce: '69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37',
  message:
    'be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31' +
    '0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc768970' +
    '40e082f937763848645e0705',
  box:
    'f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972' +
    '71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b3' +
    '7973f622a43d14a6599b1f654cb45a74e355a5',
};

test('secretbox reads the value Kubernetes writes: 24-byte nonce || Poly1305 tag || XSalsa20 ciphertext (NaCl test vector)', () => {
  const t = secretbox('key1', Buffer.from(NACL.key, 'hex'));
  assert.equal(t.prefix, 'k8s:enc:secretbox:v1:key1:');
  const payload = Buffer.concat([Buffer.from(NACL.nonce, 'hex'), Buffer.from(NACL.box, 'hex')]);
  assert.equal(t.decrypt(payload, '/registry/core/secrets/ns/a').toString('hex'), NACL.message);
  // What it writes: a fresh nonce each time, 24 + 16 bytes longer than the plaintext, read back by the same key.
  const plain = Buffer.from('{"kind":"Secret"}');
  const a = t.encrypt(plain, 'k');
  const b = t.encrypt(plain, 'k');
  assert.equal(a.length, plain.length + 40);
  assert.notDeepEqual(a.subarray(0, 24), b.subarray(0, 24));
  assert.deepEqual(t.decrypt(a, 'k'), plain);
  assert.throws(() => t.decrypt(a.subarray(0, 39), 'k'), /the stored data was shorter than the required size/);
});

test('secretbox: stored with its prefix, keys rotate, a wrong key or a changed byte is an error and never plaintext', async () => {
  const mem = new MemoryStore();
  const s = new EncryptingStore(mem, box1);
  await s.create('/registry/core/secrets/ns/a', secret('a'));
  const raw = (await mem.get('/registry/core/secrets/ns/a'))!.object as any;
  assert.match(raw.value, /^k8s:enc:secretbox:v1:sb1:/);
  assert.ok(!JSON.stringify(raw).includes('czNjcjN0'), 'no plaintext in the stored value');
  assert.deepEqual((await s.get('/registry/core/secrets/ns/a'))!.object.data, { password: 'czNjcjN0' });
  // Rotation: a new key first reads the old value and rewrites it with the new key; aesgcm data stays readable too.
  await new EncryptingStore(mem, gcm1).create('/registry/core/secrets/ns/g', secret('g'));
  const rotated = new EncryptingStore(
    mem,
    config([{ secretbox: { keys: [{ name: 'sb2', secret: SB2 }, { name: 'sb1', secret: SB1 }] } }, { aesgcm: { keys: [{ name: 'key1', secret: KEY1 }] } }]),
  );
  const old = (await rotated.get('/registry/core/secrets/ns/a'))!;
  assert.deepEqual(old.object.data, { password: 'czNjcjN0' });
  assert.deepEqual((await rotated.get('/registry/core/secrets/ns/g'))!.object.data, { password: 'czNjcjN0' });
  await rotated.update('/registry/core/secrets/ns/a', old.object);
  assert.match(((await mem.get('/registry/core/secrets/ns/a'))!.object as any).value, /^k8s:enc:secretbox:v1:sb2:/);
  // The old key alone no longer reads it: no key with that prefix.
  await assert.rejects(s.get('/registry/core/secrets/ns/a'), /no matching prefix found/);
  // Same key name, other secret: authentication fails.
  const wrong = new EncryptingStore(mem, config([{ secretbox: { keys: [{ name: 'sb2', secret: SB1 }] } }]));
  await assert.rejects(wrong.get('/registry/core/secrets/ns/a'), /failed to decrypt \/registry\/core\/secrets\/ns\/a with k8s:enc:secretbox:v1:sb2: .*Poly1305 authentication failed/);
  // A changed byte in the ciphertext.
  const stored = (await mem.get('/registry/core/secrets/ns/a'))!;
  const prefix = 'k8s:enc:secretbox:v1:sb2:';
  const bytes = Buffer.from((stored.object as any).value.slice(prefix.length), 'base64');
  bytes[bytes.length - 1] ^= 1;
  await mem.update('/registry/core/secrets/ns/a', { kind: 'EncryptedValue', value: prefix + bytes.toString('base64') } as any);
  await assert.rejects(rotated.get('/registry/core/secrets/ns/a'), /Poly1305 authentication failed/);
  await assert.rejects(rotated.list('/registry/core/secrets/'), /Poly1305 authentication failed/);
});
