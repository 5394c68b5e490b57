// Three `kubesim apiserver` replicas on one PostgreSQL with Redis Streams events, behind a real
// HAProxy on loopback (test/e2e/replicated-suite.ts): kubectl and the components through it, kill -9
// of a replica mid-rollout, then a Redis restart (the stream is gone: events come from the log) and
// a PostgreSQL restart (requests fail with 503 while it is down), each without a lost or reordered
// event for a watcher through HAProxy.
import { startPostgres, startRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/services.ts';
import { replicatedMissing } from './replicated.ts';
import { runReplicatedSuite } from './replicated-suite.ts';

const pg = replicatedMissing('postgres e2e') ? undefined : await startPostgres();
const redis = pg ? await startRedis() : undefined;
if (pg && !redis) await pg.stop();

runReplicatedSuite<{ pg: PrivatePostgres; redis: PrivateRedis }>(
  'postgres + redis',
  pg && redis
    ? {
        storageArgs: ['--storage', `${pg.url}?schema=e2e&pool_size=4`, '--events', redis.url],
        servers: { pg, redis },
        stop: async () => {
          await redis.stop();
          await pg.stop();
        },
      }
    : undefined,
  [
    { name: 'a Redis restart', inject: ({ redis }) => redis.restart(500) },
    { name: 'a PostgreSQL restart', inject: ({ pg }) => pg.restart(1500) },
  ],
);
