// Kubernetes' default APF configuration (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap, v1 values):
// the mandatory objects (exempt, catch-all) and the suggested ones, plus kubesim's node-pool schemas.
// They are created at API server start and kept as Kubernetes' configuration controller keeps them:
// mandatory objects are always restored; suggested ones are re-created when missing and their spec is
// reset while the `apf.kubernetes.io/autoupdate-spec` annotation is "true".
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FLOWCONTROL_GROUP } from '../../api/kinds/flowcontrol.ts';
import { jsonEqual, deepCopy } from '../../api/core/json.ts';
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, type Store } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';

export const AUTOUPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';
export const FLOW_SCHEMAS = 'flowschemas';
export const PRIORITY_LEVELS = 'prioritylevelconfigurations';

/** kubesim's node pool: one identity acting for every simulated node (see docs/security or COMMON names). */
export const NODE_POOL_GROUP = 'system:kubesim:node-pools';

type Subject = Record<string, unknown>;
const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const kubeSystemSA = (name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } });
const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean) => ({
  verbs,
  apiGroups,
  resources,
  ...(clusterScope ? { clusterScope: true } : {}),
  namespaces,
});
const ALL_RESOURCES = [resourceRule(['*'], ['*'], ['*'], ['*'], true)];
const ALL_NON_RESOURCES = [{ verbs: ['*'], nonResourceURLs: ['*'] }];

function limited(shares: number, lendablePercent: number, queuing?: [queues: number, handSize: number, queueLengthLimit: number]) {
  return {
    type: 'Limited',
    limited: {
      nominalConcurrencyShares: shares,
      lendablePercent,
      limitResponse: queuing ? { type: 'Queue', queuing: { queues: queuing[0], handSize: queuing[1], queueLengthLimit: queuing[2] } } : { type: 'Reject' },
    },
  };
}

function schema(name: string, level: string, precedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, subjects: Subject[], resourceRules: object[] = ALL_RESOURCES, nonResourceRules: object[] | undefined = ALL_NON_RESOURCES) {
  return {
    name,
    spec: {
      priorityLevelConfiguration: { name: level },
      matchingPrecedence: precedence,
      ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules: [{ subjects, ...(resourceRules.length ? { resourceRules } : {}), ...(nonResourceRules?.length ? { nonResourceRules } : {}) }],
    },
  };
}

export interface BootstrapObject {
  name: string;
  spec: Record<string, unknown>;
}

export const MANDATORY_PRIORITY_LEVELS: BootstrapObject[] = [
  { name: 'exempt', spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  { name: 'catch-all', spec: limited(5, 0) },
];

export const SUGGESTED_PRIORITY_LEVELS: BootstrapObject[] = [
  { name: 'system', spec: limited(30, 33, [64, 6, 50]) },
  { name: 'node-high', spec: limited(40, 25, [64, 6, 50]) },
  { name: 'leader-election', spec: limited(10, 0, [16, 4, 50]) },
  { name: 'workload-high', spec: limited(40, 50, [128, 6, 50]) },
  { name: 'workload-low', spec: limited(100, 90, [128, 6, 50]) },
  { name: 'global-default', spec: limited(20, 50, [128, 6, 50]) },
];

const everyone = [group('system:unauthenticated'), group('system:authenticated')];
const leaderElectionRules = (configNamespaces: string[]) => [
  resourceRule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], configNamespaces, false),
  resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'], false),
];
const nodeHighRules = [resourceRule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true), resourceRule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false)];

export const MANDATORY_FLOW_SCHEMAS: BootstrapObject[] = [
  schema('exempt', 'exempt', 1, undefined, [group('system:masters')]),
  schema('catch-all', 'catch-all', 10000, 'ByUser', everyone),
];

export const SUGGESTED_FLOW_SCHEMAS: BootstrapObject[] = [
  schema('system-nodes', 'system', 500, 'ByUser', [group('system:nodes')]),
  schema('system-node-high', 'node-high', 400, 'ByUser', [group('system:nodes')], nodeHighRules, []),
  schema('probes', 'exempt', 2, undefined, everyone, [], [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }]),
  schema('system-leader-election', 'leader-election', 100, 'ByUser', [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemSA('*')], leaderElectionRules(['kube-system']), []),
  schema('endpoint-controller', 'workload-high', 150, 'ByUser', [user('system:kube-controller-manager'), kubeSystemSA('endpoint-controller')], [resourceRule(['get', 'create', 'update'], [''], ['endpoints'], ['*'], false)], []),
  schema('workload-leader-election', 'leader-election', 200, 'ByUser', [kubeSystemSA('*')], leaderElectionRules(['*']), []),
  schema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [user('system:kube-controller-manager')]),
  schema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [user('system:kube-scheduler')]),
  schema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [kubeSystemSA('*')]),
  schema('service-accounts', 'workload-low', 9000, 'ByUser', [group('system:serviceaccounts')]),
  schema('global-default', 'global-default', 9900, 'ByUser', everyone),
  // kubesim: the node pool (user system:kubesim:node-pool, group system:kubesim:node-pools) acts for every
  // simulated node; its node heartbeats go where the kubelets' go (node-high), the rest to `system`.
  schema('kubesim-node-pool-high', 'node-high', 400, 'ByUser', [group(NODE_POOL_GROUP)], nodeHighRules, []),
  schema('kubesim-node-pool', 'system', 500, 'ByUser', [group(NODE_POOL_GROUP)]),
];

const MANDATORY = new Set([...MANDATORY_PRIORITY_LEVELS, ...MANDATORY_FLOW_SCHEMAS]);

function newObject(kind: string, b: BootstrapObject): KubeObject {
  return {
    apiVersion: `${FLOWCONTROL_GROUP}/v1`,
    kind,
    metadata: { name: b.name, uid: randomUUID(), generation: 1, creationTimestamp: timestamp(), annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: deepCopy(b.spec),
  };
}

/** The spec the object should have after the controller's pass, or undefined to leave it alone. */
export function wantedSpec(b: BootstrapObject, mandatory: boolean, existing: KubeObject): Record<string, unknown> | undefined {
  const auto = existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION];
  if (!mandatory && auto !== 'true') return undefined;
  const spec = deepCopy(b.spec);
  // The exempt level's spec.exempt is the administrator's to tune.
  if (b.name === 'exempt' && existing.spec?.type === 'Exempt' && existing.spec.exempt) spec.exempt = existing.spec.exempt;
  return jsonEqual(spec, existing.spec) ? undefined : spec;
}

/** One pass of the configuration controller: creates missing objects, restores specs. */
export async function ensureBootstrap(store: Store, registry: Registry, logger?: Logger, only?: { plural: string; name: string }): Promise<void> {
  const sets: [string, string, BootstrapObject[]][] = [
    [PRIORITY_LEVELS, 'PriorityLevelConfiguration', [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS]],
    [FLOW_SCHEMAS, 'FlowSchema', [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS]],
  ];
  for (const [plural, kind, objects] of sets) {
    const rt = registry.byResource(FLOWCONTROL_GROUP, 'v1', plural);
    if (!rt) continue;
    for (const b of objects) {
      if (only && (only.plural !== plural || only.name !== b.name)) continue;
      const key = objectKey(FLOWCONTROL_GROUP, plural, undefined, b.name);
      try {
        const existing = await store.get(key);
        if (!existing) {
          const o = newObject(kind, b);
          rt.defaults(o);
          await store.create(key, o);
          continue;
        }
        const spec = wantedSpec(b, MANDATORY.has(b), existing.object);
        if (!spec) continue;
        const o = deepCopy(existing.object);
        o.spec = spec;
        o.metadata.generation = (o.metadata.generation ?? 1) + 1;
        rt.defaults(o);
        await store.update(key, o, existing.modRevision);
        logger?.info({ kind, name: b.name }, 'flow control: restored the bootstrap spec');
      } catch (err) {
        // written concurrently (another replica, a user): the next event brings us back here
        logger?.debug({ err: String(err), kind, name: b.name }, 'flow control: bootstrap write lost a race');
      }
    }
  }
}

/** True when a write to this object may need the controller (a bootstrap object changed or went away). */
export function isBootstrapName(plural: string, name: string): boolean {
  const list = plural === FLOW_SCHEMAS ? [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS] : [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS];
  return list.some((b) => b.name === name);
}
