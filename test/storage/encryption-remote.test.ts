// Encryption at rest over the shared backends: the conformance suite on EncryptingStore over etcd
// and over PostgreSQL (LISTEN/NOTIFY), each on a private server (skipped when not installed).
import { after, before, test } from 'node:test';
import type { Store } from '../../src/storage/interface.ts';
import { EtcdStore } from '../../src/storage/etcd.ts';
import { PostgresStore } from '../../src/storage/postgres.ts';
import { EncryptingStore, type EncryptionConfiguration } from '../../src/storage/encryption/index.ts';
import { startPostgres } from '../helpers/services.ts';
import { runStoreConformance } from './conformance.ts';
import { etcdMissing, startEtcd, type EtcdCluster } from './etcd-harness.ts';

// secrets with aesgcm, configmaps with secretbox
const config: EncryptionConfiguration = {
  resources: [
    { resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'key1', secret: Buffer.alloc(32, 5).toString('base64') }] } }] },
    { resources: ['configmaps'], providers: [{ secretbox: { keys: [{ name: 'box1', secret: Buffer.alloc(32, 6).toString('base64') }] } }] },
  ],
};

if (etcdMissing()) {
  test('encrypted etcd', (t) => t.skip('etcd is not installed'));
} else {
  let etcd: EtcdCluster | undefined;
  before(async () => {
    etcd = await startEtcd(1);
  });
  after(async () => {
    await etcd?.close();
  });
  let n = 0;
  runStoreConformance('encrypted etcd', async () => {
    const prefix = `/enc${process.pid}-${n++}`;
    let store: Store = new EncryptingStore(new EtcdStore({ endpoints: etcd!.endpoints, prefix }), config);
    return {
      store,
      reopen: async () => {
        await store.close();
        store = new EncryptingStore(new EtcdStore({ endpoints: etcd!.endpoints, prefix }), config);
        return store;
      },
      cleanup: () => store.close(),
    };
  });
}

const pg = await startPostgres();
after(async () => {
  await pg?.stop();
});
if (!pg) {
  test('encrypted postgres', (t) => t.skip('initdb/pg_ctl not found'));
} else {
  let schemas = 0;
  const open = async (schema: string) => new EncryptingStore(await PostgresStore.open({ url: pg.url, schema, poolSize: 4, onError: () => {} }), config);
  runStoreConformance('encrypted postgres (listen/notify)', async () => {
    const schema = `enc${++schemas}_${process.pid}`;
    let store: Store = await open(schema);
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await open(schema);
        return store;
      },
      cleanup: () => store.close(),
    };
  });
}
