// Kubernetes' bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), as far as
// kubesim serves the resources, plus kubesim's own components' roles: the controller-manager runs
// every controller as one user (no per-controller service accounts), the node pool acts for every
// simulated node as one user.
import type { PolicyRule } from '../../api/kinds/rbac.ts';

const READ = ['get', 'list', 'watch'];
const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_UPDATE = ['get', 'list', 'watch', 'update', 'patch'];

const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';
const AUTOSCALING = 'autoscaling';
const POLICY = 'policy';
const NETWORKING = 'networking.k8s.io';
const COORDINATION = 'coordination.k8s.io';
const STORAGE = 'storage.k8s.io';
const DISCOVERY = 'discovery.k8s.io';
const EVENTS = 'events.k8s.io';
const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';
const RBAC = 'rbac.authorization.k8s.io';
const CERTIFICATES = 'certificates.k8s.io';
const SCHEDULING = 'scheduling.k8s.io';
const NODE = 'node.k8s.io';
const METRICS = 'metrics.k8s.io';

/** A resource rule. */
export const rule = (verbs: string[], groups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups: groups, resources, resourceNames } : { verbs, apiGroups: groups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const eventsRule = () => rule(['create', 'update', 'patch'], [CORE, EVENTS], ['events']);

export const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;

export interface BootstrapRole {
  name: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  aggregateFrom?: string;
}

export interface BootstrapBinding {
  name: string;
  role: string;
  users?: string[];
  groups?: string[];
}

const HEALTH = ['/livez', '/readyz', '/healthz'];

export const CLUSTER_ROLES: BootstrapRole[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  { name: 'system:discovery', rules: [urls(['get'], [...HEALTH, '/version', '/version/', '/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*'])] },
  { name: 'system:monitoring', rules: [urls(['get'], ['/metrics', '/metrics/slis', ...HEALTH, '/livez/*', '/readyz/*', '/healthz/*'])] },
  {
    name: 'system:basic-user',
    rules: [rule(['create'], [AUTHZ], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], [AUTHN], ['selfsubjectreviews'])],
  },
  { name: 'system:public-info-viewer', rules: [urls(['get'], [...HEALTH, '/version', '/version/'])] },
  { name: 'admin', rules: [], aggregateFrom: AGGREGATE_TO('admin') },
  { name: 'edit', rules: [], aggregateFrom: AGGREGATE_TO('edit'), labels: { [AGGREGATE_TO('admin')]: 'true' } },
  { name: 'view', rules: [], aggregateFrom: AGGREGATE_TO('view'), labels: { [AGGREGATE_TO('edit')]: 'true' } },
  {
    name: 'system:aggregate-to-admin',
    labels: { [AGGREGATE_TO('admin')]: 'true' },
    rules: [rule(['create'], [AUTHZ], ['localsubjectaccessreviews']), rule(READ_WRITE, [RBAC], ['roles', 'rolebindings'])],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: { [AGGREGATE_TO('edit')]: 'true' },
    rules: [
      rule(['impersonate'], [CORE], ['serviceaccounts']),
      rule(WRITE, [CORE], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      rule(['create'], [CORE], ['pods/eviction']),
      rule(WRITE, [CORE], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
      rule(['create'], [CORE], ['serviceaccounts/token']),
      rule(WRITE, [APPS], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      rule(WRITE, [AUTOSCALING], ['horizontalpodautoscalers']),
      rule(WRITE, [BATCH], ['jobs', 'cronjobs']),
      rule(WRITE, [POLICY], ['poddisruptionbudgets']),
      rule(WRITE, [NETWORKING], ['networkpolicies', 'ingresses']),
      rule(WRITE, [COORDINATION], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: { [AGGREGATE_TO('view')]: 'true' },
    rules: [
      rule(READ, [CORE], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(READ, [CORE], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
      rule(READ, [CORE], ['namespaces']),
      rule(READ, [DISCOVERY], ['endpointslices']),
      rule(READ, [APPS], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(READ, [AUTOSCALING], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, [BATCH], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
      rule(READ, [POLICY], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, [NETWORKING], ['networkpolicies', 'ingresses', 'ingresses/status']),
      rule(READ, [COORDINATION], ['leases']),
      rule(READ, [METRICS], ['pods', 'nodes']),
    ],
  },
  {
    name: 'system:node',
    rules: [
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews', 'localsubjectaccessreviews']),
      rule(READ, [CORE], ['services']),
      rule(['create', 'get', 'list', 'watch'], [CORE], ['nodes']),
      rule(['update', 'patch'], [CORE], ['nodes/status']),
      rule(['update', 'patch', 'delete'], [CORE], ['nodes']),
      eventsRule(),
      rule(READ, [CORE], ['pods']),
      rule(['create', 'delete'], [CORE], ['pods']),
      rule(['update', 'patch'], [CORE], ['pods/status']),
      rule(['create'], [CORE], ['pods/eviction']),
      rule(['get', 'list', 'watch'], [CORE], ['secrets', 'configmaps']),
      rule(['get'], [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get', 'update', 'patch'], [CORE], ['persistentvolumeclaims/status']),
      rule(['create'], [CORE], ['serviceaccounts/token']),
      rule(['get', 'create', 'update', 'patch', 'delete'], [COORDINATION], ['leases']),
      rule(READ, [STORAGE], ['csidrivers', 'volumeattachments']),
      rule(['get', 'create', 'update', 'patch', 'delete'], [STORAGE], ['csinodes']),
      rule(READ, [NODE], ['runtimeclasses']),
      rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
    ],
  },
  {
    name: 'system:node-proxier',
    rules: [rule(['list', 'watch'], [CORE], ['services', 'endpoints']), rule(['get', 'list', 'watch'], [CORE], ['nodes']), eventsRule(), rule(['list', 'watch'], [DISCOVERY], ['endpointslices'])],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      eventsRule(),
      rule(['create'], [COORDINATION], ['leases']),
      rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-scheduler']),
      rule(READ, [CORE], ['nodes']),
      rule(READ, [CORE], ['pods']),
      rule(['delete'], [CORE], ['pods']),
      // kubesim's, not Kubernetes': the decision it writes to kubesim.io/scheduling-result on a pod
      // annotated kubesim.io/explain-scheduling=true (src/scheduler/README.md) is a pod patch
      rule(['patch'], [CORE], ['pods']),
      rule(['create'], [CORE], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [CORE], ['pods/status']),
      rule(READ, [CORE], ['replicationcontrollers', 'services']),
      rule(READ, [APPS], ['replicasets', 'statefulsets']),
      rule(READ, [POLICY], ['poddisruptionbudgets']),
      rule(READ, [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
      rule(READ, [STORAGE], ['csinodes', 'csidrivers', 'csistoragecapacities']),
      rule(READ, [CORE], ['namespaces']),
      rule(READ, [SCHEDULING], ['priorityclasses']),
    ],
  },
  {
    name: 'system:volume-scheduler',
    rules: [rule(READ_UPDATE, [CORE], ['persistentvolumes']), rule(READ, [STORAGE], ['storageclasses']), rule(READ_UPDATE, [CORE], ['persistentvolumeclaims'])],
  },
  {
    name: 'system:kube-controller-manager',
    rules: [
      eventsRule(),
      rule(['create'], [COORDINATION], ['leases']),
      rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-controller-manager']),
      rule(['create'], [CORE], ['secrets', 'serviceaccounts']),
      rule(['delete'], [CORE], ['secrets']),
      rule(['get'], [CORE], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], [CORE], ['secrets', 'serviceaccounts']),
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [CORE], ['serviceaccounts/token']),
    ],
  },
  { name: 'system:auth-delegator', rules: [rule(['create'], [AUTHN], ['tokenreviews']), rule(['create'], [AUTHZ], ['subjectaccessreviews'])] },
  { name: 'system:kube-aggregator', rules: [rule(READ, [CORE], ['services', 'endpoints'])] },
  { name: 'system:kube-dns', rules: [rule(['list', 'watch'], [CORE], ['endpoints', 'services'])] },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [rule(['get', 'list', 'watch', 'create', 'delete'], [CORE], ['persistentvolumes']), rule(['get', 'list', 'watch', 'update'], [CORE], ['persistentvolumeclaims']), rule(READ, [STORAGE], ['storageclasses']), rule(['watch'], [CORE], ['events']), eventsRule()],
  },
  { name: 'system:service-account-issuer-discovery', rules: [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])] },
  { name: 'system:node-bootstrapper', rules: [rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule(['create'], [CERTIFICATES], ['certificatesigningrequests/nodeclient'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule(['create'], [CERTIFICATES], ['certificatesigningrequests/selfnodeclient'])] },
  ...['kube-apiserver-client', 'kube-apiserver-client-kubelet', 'kubelet-serving', 'legacy-unknown'].map((signer) => ({
    name: `system:certificates.k8s.io:${signer}-approver`,
    rules: [rule(['approve'], [CERTIFICATES], ['signers'], [`kubernetes.io/${signer}`])],
  })),
];

/** Kubernetes' system:controller:<name> roles for the controllers kubesim runs. */
export const CONTROLLER_ROLES: BootstrapRole[] = [
  ...[
    ['replicaset-controller', [rule(['get', 'list', 'watch', 'update'], [APPS], ['replicasets']), rule(['update'], [APPS], ['replicasets/status', 'replicasets/finalizers']), rule(['list', 'watch', 'patch', 'create', 'delete'], [CORE], ['pods']), eventsRule()]],
    ['replication-controller', [rule(['get', 'list', 'watch', 'update'], [CORE], ['replicationcontrollers']), rule(['update'], [CORE], ['replicationcontrollers/status', 'replicationcontrollers/finalizers']), rule(['list', 'watch', 'patch', 'create', 'delete'], [CORE], ['pods']), eventsRule()]],
    [
      'deployment-controller',
      [
        rule(['get', 'list', 'watch', 'update'], [APPS], ['deployments']),
        rule(['update'], [APPS], ['deployments/status', 'deployments/finalizers']),
        rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], [APPS], ['replicasets']),
        rule(['get', 'list', 'watch', 'update'], [CORE], ['pods']),
        eventsRule(),
      ],
    ],
    ['generic-garbage-collector', [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*'])]],
    [
      'node-controller',
      [rule(['get', 'list', 'update', 'delete', 'patch'], [CORE], ['nodes']), rule(['patch', 'update'], [CORE], ['nodes/status']), rule(['update'], [CORE], ['pods/status']), rule(['list', 'delete'], [CORE], ['pods']), rule(['create'], [CORE], ['pods/eviction']), eventsRule()],
    ],
    [
      'namespace-controller',
      [rule(['get', 'list', 'watch', 'delete'], [CORE], ['namespaces']), rule(['update'], [CORE], ['namespaces/finalize', 'namespaces/status']), rule(['get', 'list', 'delete', 'deletecollection'], ['*'], ['*'])],
    ],
    ['pod-garbage-collector', [rule(['list', 'watch', 'delete'], [CORE], ['pods']), rule(['get', 'list'], [CORE], ['nodes']), rule(['patch'], [CORE], ['pods/status'])]],
    [
      'endpoint-controller',
      [rule(['get', 'list', 'watch'], [CORE], ['services', 'pods']), rule(['get', 'list', 'create', 'update', 'delete'], [CORE], ['endpoints']), rule(['create'], [CORE], ['endpoints/restricted']), eventsRule()],
    ],
    [
      'job-controller',
      [
        rule(['get', 'list', 'watch', 'update', 'patch'], [BATCH], ['jobs']),
        rule(['update', 'patch'], [BATCH], ['jobs/status']),
        rule(['update'], [BATCH], ['jobs/finalizers']),
        rule(['list', 'watch', 'create', 'delete', 'patch'], [CORE], ['pods']),
        eventsRule(),
      ],
    ],
    [
      'cronjob-controller',
      [
        rule(['get', 'list', 'watch', 'update'], [BATCH], ['cronjobs']),
        rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], [BATCH], ['jobs']),
        rule(['update'], [BATCH], ['cronjobs/status']),
        rule(['update'], [BATCH], ['cronjobs/finalizers']),
        rule(['list', 'delete'], [CORE], ['pods']),
        eventsRule(),
      ],
    ],
    ['ttl-after-finished-controller', [rule(['get', 'list', 'watch', 'delete'], [BATCH], ['jobs']), eventsRule()]],
    [
      'daemon-set-controller',
      [
        rule(['get', 'list', 'watch'], [APPS], ['daemonsets']),
        rule(['update'], [APPS], ['daemonsets/status', 'daemonsets/finalizers']),
        rule(['list', 'watch'], [CORE], ['nodes']),
        rule(['list', 'watch', 'create', 'delete', 'patch'], [CORE], ['pods']),
        rule(['create'], [CORE], ['pods/binding']),
        rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], [APPS], ['controllerrevisions']),
        eventsRule(),
      ],
    ],
    [
      'horizontal-pod-autoscaler',
      [
        rule(['get', 'list', 'watch'], [AUTOSCALING], ['horizontalpodautoscalers']),
        rule(['update'], [AUTOSCALING], ['horizontalpodautoscalers/status']),
        rule(['get', 'update'], ['*'], ['*/scale']),
        rule(['list'], [CORE], ['pods']),
        rule(['list'], [METRICS], ['pods']),
        rule(['get', 'list'], ['custom.metrics.k8s.io'], ['*']),
        rule(['get', 'list'], ['external.metrics.k8s.io'], ['*']),
        eventsRule(),
      ],
    ],
    ['service-account-controller', [rule(['create'], [CORE], ['serviceaccounts']), eventsRule()]],
    [
      'disruption-controller',
      [
        rule(['get', 'list', 'watch'], [APPS], ['deployments', 'replicasets', 'statefulsets']),
        rule(['get', 'list', 'watch'], [CORE], ['replicationcontrollers']),
        rule(['get', 'list', 'watch'], [POLICY], ['poddisruptionbudgets']),
        rule(['update'], [POLICY], ['poddisruptionbudgets/status']),
        rule(['patch', 'update'], [CORE], ['pods/status']),
        rule(['get'], ['*'], ['*/scale']),
        eventsRule(),
      ],
    ],
    ['resourcequota-controller', [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [CORE], ['resourcequotas/status']), eventsRule()]],
    [
      'endpointslice-controller',
      [rule(['get', 'list', 'watch'], [CORE], ['services', 'pods', 'nodes']), rule(['update'], [CORE], ['services/finalizers']), rule(['create', 'update', 'delete'], [DISCOVERY], ['endpointslices']), eventsRule()],
    ],
    [
      'persistent-volume-binder',
      [
        rule(['get', 'list', 'watch', 'update', 'create', 'delete'], [CORE], ['persistentvolumes']),
        rule(['update'], [CORE], ['persistentvolumes/status']),
        rule(['get', 'list', 'watch', 'update'], [CORE], ['persistentvolumeclaims']),
        rule(['update'], [CORE], ['persistentvolumeclaims/status']),
        rule(['list', 'watch', 'get', 'create', 'delete'], [CORE], ['pods']),
        rule(['get', 'list', 'watch'], [STORAGE], ['storageclasses']),
        rule(['get', 'create', 'delete'], [CORE], ['services', 'endpoints']),
        rule(['get'], [CORE], ['secrets']),
        rule(['get', 'list'], [CORE], ['nodes']),
        rule(['watch'], [CORE], ['events']),
        eventsRule(),
      ],
    ],
    [
      'statefulset-controller',
      [
        rule(['list', 'watch'], [CORE], ['pods']),
        rule(['get', 'list', 'watch'], [APPS], ['statefulsets']),
        rule(['update'], [APPS], ['statefulsets/status', 'statefulsets/finalizers']),
        rule(['get', 'create', 'delete', 'update', 'patch'], [CORE], ['pods']),
        rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], [APPS], ['controllerrevisions']),
        rule(['get', 'create'], [CORE], ['persistentvolumeclaims']),
        rule(['update', 'delete'], [CORE], ['persistentvolumeclaims']),
        eventsRule(),
      ],
    ],
    ['clusterrole-aggregation-controller', [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], [RBAC], ['clusterroles'])]],
    ['root-ca-cert-publisher', [rule(['create', 'update'], [CORE], ['configmaps']), eventsRule()]],
    [
      'certificate-controller',
      [
        rule(['get', 'list', 'watch', 'delete'], [CERTIFICATES], ['certificatesigningrequests']),
        rule(['update'], [CERTIFICATES], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
        rule(['approve', 'sign'], [CERTIFICATES], ['signers'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
        rule(['create'], [AUTHZ], ['subjectaccessreviews']),
        eventsRule(),
      ],
    ],
  ].map(([n, rules]) => ({ name: `system:controller:${n as string}`, rules: rules as PolicyRule[] })),
];

/**
 * kubesim's node pool: system:node's rights over every simulated node, as one user (the Node
 * authorizer's per-node restriction does not apply to it).
 */
export const NODE_POOL_ROLE: BootstrapRole = {
  name: 'system:kubesim:node-pool',
  rules: [
    ...CLUSTER_ROLES.find((r) => r.name === 'system:node')!.rules,
    rule(['update', 'patch'], [CORE], ['pods']),
    rule(['update', 'patch'], [CORE], ['nodes']),
    rule(['get'], [CORE], ['namespaces', 'serviceaccounts']),
    rule(['list', 'watch'], [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['list', 'watch'], [COORDINATION], ['leases']),
    // kubesim's simulated load follows a pod's workload (src/node/load.ts)
    rule(READ, [APPS], ['deployments', 'replicasets', 'statefulsets']),
  ],
};

export const NODE_POOL_USER = 'system:kubesim:node-pool';
export const NODE_POOL_GROUP = 'system:kubesim:node-pools';
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const SCHEDULER_USER = 'system:kube-scheduler';

export const CLUSTER_ROLE_BINDINGS: BootstrapBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', groups: ['system:masters'] },
  { name: 'system:discovery', role: 'system:discovery', groups: ['system:authenticated'] },
  { name: 'system:basic-user', role: 'system:basic-user', groups: ['system:authenticated'] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', groups: ['system:authenticated', 'system:unauthenticated'] },
  { name: 'system:monitoring', role: 'system:monitoring', groups: ['system:monitoring'] },
  { name: 'system:node-proxier', role: 'system:node-proxier', users: ['system:kube-proxy'] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', users: [CONTROLLER_MANAGER_USER] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', users: [SCHEDULER_USER] },
  { name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery', groups: ['system:serviceaccounts'] },
  { name: 'system:volume-scheduler', role: 'system:volume-scheduler', users: [SCHEDULER_USER] },
  // kubesim: the controller-manager's one identity holds every controller's role
  ...CONTROLLER_ROLES.map((r) => ({ name: `system:kubesim:controller-manager:${r.name.slice('system:controller:'.length)}`, role: r.name, users: [CONTROLLER_MANAGER_USER] })),
  { name: NODE_POOL_ROLE.name, role: NODE_POOL_ROLE.name, groups: [NODE_POOL_GROUP] },
  // kubesim: the node pool is also each node's kube-proxy (src/node/process/services.ts watches Services and Endpoints)
  { name: `${NODE_POOL_ROLE.name}:node-proxier`, role: 'system:node-proxier', groups: [NODE_POOL_GROUP] },
].filter((b) => (b.users?.length ?? 0) + (b.groups?.length ?? 0) > 0);

export const ALL_CLUSTER_ROLES: BootstrapRole[] = [...CLUSTER_ROLES, ...CONTROLLER_ROLES, NODE_POOL_ROLE];

/** Kubernetes' namespaced bootstrap roles (NamespaceRoles / NamespaceRoleBindings) kubesim's components use. */
export interface NamespacedBootstrapRole extends BootstrapRole {
  namespace: string;
}
export interface NamespacedBootstrapBinding extends BootstrapBinding {
  namespace: string;
}

export const NAMESPACED_ROLES: NamespacedBootstrapRole[] = [
  { namespace: 'kube-system', name: 'extension-apiserver-authentication-reader', rules: [rule(READ, [CORE], ['configmaps'], ['extension-apiserver-authentication'])] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-controller-manager', rules: [rule(['watch'], [CORE], ['configmaps']), rule(['get', 'update'], [CORE], ['configmaps'], ['kube-controller-manager'])] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-scheduler', rules: [rule(['watch'], [CORE], ['configmaps']), rule(['get', 'update'], [CORE], ['configmaps'], ['kube-scheduler'])] },
];

export const NAMESPACED_ROLE_BINDINGS: NamespacedBootstrapBinding[] = [
  { namespace: 'kube-system', name: 'system::extension-apiserver-authentication-reader', role: 'extension-apiserver-authentication-reader', users: [CONTROLLER_MANAGER_USER, SCHEDULER_USER] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-controller-manager', role: 'system::leader-locking-kube-controller-manager', users: [CONTROLLER_MANAGER_USER] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-scheduler', role: 'system::leader-locking-kube-scheduler', users: [SCHEDULER_USER] },
];
