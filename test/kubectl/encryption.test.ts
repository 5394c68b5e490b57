// Encryption at rest end to end: a Secret created with kubectl is stored encrypted in SQLite
// (k8s:enc:aesgcm:v1:key1:) and `kubectl get secret -o yaml` shows it decrypted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, hasKubectl, type Cluster } from './harness.ts';

let c: Cluster | undefined;
let data: string;
const skip = !hasKubectl;
const KEY = Buffer.alloc(32, 7).toString('base64');

before(async () => {
  if (skip) return;
  data = mkdtempSync(join(tmpdir(), 'kubesim-enc-'));
  const cfg = join(data, 'encryption.yaml');
  writeFileSync(
    cfg,
    `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${KEY}
      - identity: {}
`,
  );
  c = await startCluster({ dataDir: join(data, 'd'), encryptionProviderConfig: cfg });
});

after(async () => {
  await c?.close();
  if (data) rmSync(data, { recursive: true, force: true });
});

test('kubectl create secret: stored encrypted, read back decrypted', { skip }, async () => {
  await c!.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']);
  const yaml = await c!.ok(['get', 'secret', 'db', '-o', 'yaml']);
  assert.match(yaml, new RegExp(`password: ${Buffer.from('hunter2').toString('base64')}`));
  await c!.ok(['create', 'configmap', 'plain', '--from-literal=k=visible']);
  // The server holds the database's lock: read the rows once it is stopped.
  await c!.close();
  c = undefined;
  const db = new Database(join(data, 'd', 'kubesim.db'), { readonly: true });
  const row = (key: string) => (db.prepare('SELECT value FROM current WHERE key = ?').get(key) as { value: string }).value;
  const secret = row('/registry/core/secrets/default/db');
  const cm = row('/registry/core/configmaps/default/plain');
  db.close();
  assert.match(JSON.parse(secret).value, /^k8s:enc:aesgcm:v1:key1:/);
  assert.ok(!secret.includes(Buffer.from('hunter2').toString('base64')), 'no plaintext in the row');
  assert.match(cm, /visible/, 'configmaps are not in the configuration: stored as they are');
});
