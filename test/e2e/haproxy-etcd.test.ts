// Three `kubesim apiserver` replicas on a three-member etcd cluster behind a real HAProxy on
// loopback (test/e2e/replicated-suite.ts): kubectl and the components through it, kill -9 of a
// replica mid-rollout, then one etcd member stopped (the first endpoint of every replica), without a
// lost or reordered event for a watcher through HAProxy.
import { etcdMissing, startEtcd, type EtcdCluster } from '../storage/etcd-harness.ts';
import { replicatedMissing } from './replicated.ts';
import { runReplicatedSuite } from './replicated-suite.ts';

const skipped = replicatedMissing('etcd e2e');
if (!skipped && etcdMissing()) process.stdout.write('SKIP etcd e2e: no `etcd` binary on PATH (apt-get install etcd-server)\n');
const etcd = skipped || etcdMissing() ? undefined : await startEtcd(3);

runReplicatedSuite<EtcdCluster>(
  'etcd cluster',
  etcd && {
    storageArgs: ['--storage', `etcd://${etcd.endpoints.map((e) => new URL(e).host).join(',')}`],
    servers: etcd,
    stop: () => etcd.close(),
  },
  [{ name: 'one etcd member stopped', inject: (e) => e.stop(0) }],
);
