// Service (core/v1). ClusterIP/NodePort allocation belongs to the API server (it needs state);
// here: defaults, validation, the clusterIP immutability rule and the table.
import type { KubeObject } from '../types.ts';
import { duplicate, invalidValue, notSupported, required } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { age, ageColumn, col, defineKind, keepOldStatus, resetStatus } from '../meta.ts';
import { bool, int, intOrString, list, map, mergeList, obj, str } from '../schema.ts';
import { FIELD_IMMUTABLE, fromChecks, isDNS1123Label, isValidIP, isValidPortName, isValidPortNum, nameIsDNS1035Label } from '../validation.ts';
import { formatLabels } from '../labels.ts';
import { conditionsSchema } from './common.ts';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

const servicePortSchema = obj('ServicePort contains information on service\'s port.', {
  name: str('The name of this port within the service. Must be a DNS_LABEL; required when there are several ports.'),
  protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
  appProtocol: str('The application protocol for this port.'),
  port: int('The port that will be exposed by this service.'),
  targetPort: intOrString('Number or name of the port to access on the pods targeted by the service.'),
  nodePort: int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
});

const loadBalancerIngress = obj('LoadBalancerIngress represents the status of a load-balancer ingress point.', {
  ip: str('IP is set for load-balancer ingress points that are IP based.'),
  hostname: str('Hostname is set for load-balancer ingress points that are DNS based.'),
  ipMode: str('IPMode specifies how the load-balancer IP behaves.'),
  ports: list('Ports is a list of records of service ports.', obj('PortStatus.', { port: int('Port number.'), protocol: str('Protocol.'), error: str('Error.') })),
});

export const service = defineKind({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  nameValidator: nameIsDNS1035Label,
  description: 'Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  fields: {
    spec: obj('Spec defines the behavior of a service.', {
      ports: mergeList('The list of ports that are exposed by this service.', servicePortSchema, 'port', ['port', 'protocol']),
      selector: map('Route service traffic to pods with label keys and values matching this selector.'),
      clusterIP: str('clusterIP is the IP address of the service, usually assigned randomly. "None" makes a headless service.'),
      clusterIPs: list('ClusterIPs is a list of IP addresses assigned to this service.', str(), { listType: 'atomic' }),
      type: str('type determines how the Service is exposed: ClusterIP, ExternalName, NodePort, and LoadBalancer.'),
      externalIPs: list('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', str()),
      sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity.'),
      loadBalancerIP: str('Only applies to Service Type: LoadBalancer. Deprecated.'),
      loadBalancerSourceRanges: list('If specified, traffic through the load-balancer will be restricted to the specified client IPs.', str()),
      externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service (a DNS CNAME record).'),
      externalTrafficPolicy: str('Describes how nodes distribute service traffic they receive on externally-facing addresses: Cluster or Local.'),
      healthCheckNodePort: int('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
      publishNotReadyAddresses: bool('Indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.'),
      sessionAffinityConfig: obj('sessionAffinityConfig contains the configurations of session affinity.', {
        clientIP: obj('clientIP contains the configurations of Client IP based session affinity.', { timeoutSeconds: int('timeoutSeconds specifies the seconds of ClientIP type session sticky time.') }),
      }),
      ipFamilies: list('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.', str(), { listType: 'atomic' }),
      ipFamilyPolicy: str('IPFamilyPolicy represents the dual-stack-ness requested or required by this Service: SingleStack, PreferDualStack, RequireDualStack.'),
      allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.'),
      loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
      internalTrafficPolicy: str('InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP: Cluster or Local.'),
      trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
    }),
    status: obj('Most recently observed status of the service.', {
      loadBalancer: obj('LoadBalancer contains the current status of the load-balancer, if one is present.', {
        ingress: list('Ingress is a list containing ingress points for the load-balancer.', loadBalancerIngress),
      }),
      conditions: conditionsSchema('Current service state.'),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    if (!s.type) s.type = 'ClusterIP';
    if (!s.sessionAffinity) s.sessionAffinity = 'None';
    if (s.sessionAffinity === 'ClientIP') {
      s.sessionAffinityConfig ??= {};
      s.sessionAffinityConfig.clientIP ??= {};
      s.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
    }
    for (const p of (s.ports as any[]) ?? []) {
      if (!p || typeof p !== 'object') continue;
      if (!p.protocol) p.protocol = 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
    if (s.type !== 'ExternalName' && !s.internalTrafficPolicy) s.internalTrafficPolicy = 'Cluster';
    if ((s.type === 'NodePort' || s.type === 'LoadBalancer') && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
    if (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts === undefined) s.allocateLoadBalancerNodePorts = true;
    if (s.clusterIP && !s.clusterIPs) s.clusterIPs = [s.clusterIP];
    if (s.type !== 'ExternalName') {
      if (!s.ipFamilyPolicy) s.ipFamilyPolicy = 'SingleStack';
      if (!s.ipFamilies && s.clusterIP !== 'None') s.ipFamilies = ['IPv4'];
      if (!s.ipFamilies && s.clusterIP === 'None') s.ipFamilies = ['IPv4'];
    }
  },
  validate: validateService,
  strategy: {
    prepareForCreate: resetStatus(() => ({ loadBalancer: {} })),
    // Omitted allocated values (clusterIP(s), nodePorts) are kept from the stored service, as
    // kube-apiserver's patchAllocatedValues does, so `kubectl replace` of a manifest works.
    prepareForUpdate: (o, old) => {
      keepOldStatus(o, old);
      carryAllocated(o, old);
    },
    validateUpdate: (o, old) => {
      const errs: FieldError[] = [];
      const a = o.spec?.clusterIP;
      const b = old.spec?.clusterIP;
      // clusterIP may not change once set, except when switching to/from ExternalName.
      if (b && b !== a && o.spec?.type !== 'ExternalName' && old.spec?.type !== 'ExternalName') {
        errs.push(invalidValue('spec.clusterIPs[0]', a ?? '', 'may not change once set'));
        errs.push(invalidValue('spec.clusterIP', a ?? '', FIELD_IMMUTABLE));
      }
      return errs;
    },
  },
  columns: [
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells: (o, now) => {
    const s = o.spec ?? {};
    const ips: string[] = s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : []);
    return [s.type ?? '', ips[0] ?? '<none>', serviceExternalIP(o, true), makePortString(s.ports) || '<none>', age(o, now), formatLabels(s.selector)];
  },
});

function validateService(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const s = o.spec;
  if (!s || typeof s !== 'object') return [required('spec')];
  const type = s.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (s.sessionAffinity && !['ClientIP', 'None'].includes(s.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', s.sessionAffinity, ['ClientIP', 'None']));
  const ports: any[] = Array.isArray(s.ports) ? s.ports : [];
  const headless = s.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!s.externalName) errs.push(required('spec.externalName'));
  } else if (ports.length === 0 && !headless) {
    errs.push(required('spec.ports'));
  }
  if (s.clusterIP && s.clusterIP !== 'None' && !isValidIP(s.clusterIP)) errs.push(invalidValue('spec.clusterIPs[0]', s.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) errs.push(required(`${f}.name`));
    if (p?.name) {
      // Kubernetes' validateServicePort checks port names as DNS-1123 labels ("80-8080" is valid).
      errs.push(...fromChecks(`${f}.name`, p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...fromChecks(`${f}.port`, p?.port, isValidPortNum(p?.port)));
    const proto = p?.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${f}.protocol`, proto, PROTOCOLS));
    const key = `${p?.port}/${proto}`;
    if (keys.has(key)) errs.push(duplicate(f, { port: p?.port, protocol: proto }));
    keys.add(key);
    const tp = p?.targetPort;
    if (typeof tp === 'number') errs.push(...fromChecks(`${f}.targetPort`, tp, isValidPortNum(tp)));
    else if (typeof tp === 'string') errs.push(...fromChecks(`${f}.targetPort`, tp, isValidPortName(tp)));
    if (p?.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP') errs.push({ field: `${f}.nodePort`, type: 'FieldValueForbidden', detail: 'Forbidden: may not be used when `type` is \'ClusterIP\'' });
      else errs.push(...fromChecks(`${f}.nodePort`, p.nodePort, isValidPortNum(p.nodePort)));
    }
  });
  for (const [i, ip] of ((s.externalIPs as string[]) ?? []).entries()) {
    if (!isValidIP(ip)) errs.push(invalidValue(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  for (const [f, v, ok] of [
    ['spec.internalTrafficPolicy', s.internalTrafficPolicy, ['Cluster', 'Local']],
    ['spec.externalTrafficPolicy', s.externalTrafficPolicy, ['Cluster', 'Local']],
    ['spec.ipFamilyPolicy', s.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']],
  ] as [string, string | undefined, string[]][]) {
    if (v && !ok.includes(v)) errs.push(notSupported(f, v, ok));
  }
  return errs;
}

/** printers.go makePortString: "80/TCP,443:30443/TCP". */
export function makePortString(ports: any[] | undefined): string {
  return (ports ?? []).map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`)).join(',');
}

function loadBalancerStatusString(o: KubeObject, wide: boolean): string {
  const ing: any[] = o.status?.loadBalancer?.ingress ?? [];
  const r = ing.map((i) => i?.ip || i?.hostname).filter(Boolean).join(',');
  return !wide && r.length > 16 ? r.slice(0, 13) + '...' : r;
}

/** printers.go getServiceExternalIP. */
export function serviceExternalIP(o: KubeObject, wide: boolean): string {
  const s = o.spec ?? {};
  const ext: string[] = s.externalIPs ?? [];
  switch (s.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatusString(o, wide);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return s.externalName ?? '';
  }
  return '<unknown>';
}

// ---- address allocation (pure; the API server supplies what is in use) ----

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const NODE_PORT_RANGE: [number, number] = [30000, 32767];

const ipToInt = (ip: string) => ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/**
 * A free IPv4 address in the CIDR (network and broadcast excluded; the first address is the
 * `kubernetes` service's), chosen at random like the apiserver's bitmap allocator. undefined = full.
 */
export function allocateClusterIP(used: Iterable<string>, cidr = DEFAULT_SERVICE_CIDR, rand: () => number = Math.random): string | undefined {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipToInt(base);
  const taken = new Set(used);
  const n = size - 3; // usable offsets 2 .. size-2 (offset 1 is reserved for the kubernetes service)
  if (n <= 0) return undefined;
  const first = Math.floor(rand() * n);
  for (let i = 0; i < n; i++) {
    const ip = intToIp(start + 2 + ((first + i) % n));
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

/** The first address of the service CIDR (10.96.0.1), used by the `kubernetes` service. */
export function kubernetesServiceIP(cidr = DEFAULT_SERVICE_CIDR): string {
  return intToIp(ipToInt(cidr.split('/')[0]) + 1);
}

export function allocateNodePort(used: Iterable<number>, range = NODE_PORT_RANGE, rand: () => number = Math.random): number | undefined {
  const taken = new Set(used);
  const n = range[1] - range[0] + 1;
  const first = Math.floor(rand() * n);
  for (let i = 0; i < n; i++) {
    const p = range[0] + ((first + i) % n);
    if (!taken.has(p)) return p;
  }
  return undefined;
}

/** Copies clusterIP(s) and nodePorts an update omitted from the stored service. */
export function carryAllocated(svc: KubeObject, old: KubeObject): void {
  const s = svc.spec;
  if (!s || typeof s !== 'object' || !old.spec) return;
  if (!s.clusterIP && old.spec.clusterIP && s.type !== 'ExternalName' && old.spec.type !== 'ExternalName') s.clusterIP = old.spec.clusterIP;
  if (!s.clusterIPs && old.spec.clusterIPs && s.clusterIP === old.spec.clusterIP) s.clusterIPs = old.spec.clusterIPs;
  if (s.type === 'ClusterIP' || s.type === 'ExternalName') return;
  for (const p of Array.isArray(s.ports) ? s.ports : []) {
    if (p && typeof p === 'object' && !p.nodePort) {
      const o = ((old.spec.ports as any[]) ?? []).find((x) => x?.port === p.port && (x?.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (o?.nodePort) p.nodePort = o.nodePort;
    }
  }
}

/** The cluster IPs and node ports a set of stored services holds (for the allocators). */
export function addressesInUse(services: KubeObject[]): { ips: Set<string>; nodePorts: Set<number> } {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const s of services) {
    for (const ip of (s.spec?.clusterIPs as string[]) ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])) if (ip !== 'None') ips.add(ip);
    for (const p of (s.spec?.ports as any[]) ?? []) if (p?.nodePort) nodePorts.add(p.nodePort);
  }
  return { ips, nodePorts };
}

/**
 * On create: a clusterIP for non-headless, non-ExternalName services (unless one was requested),
 * clusterIPs mirrored, and node ports for NodePort/LoadBalancer ports. On update (old given):
 * omitted clusterIP/clusterIPs/nodePorts are carried over from the stored object first, as the
 * service REST storage does. Returns a field error when the range is full or an address is taken.
 */
export function assignServiceAddresses(
  svc: KubeObject,
  inUse: { ips: Set<string>; nodePorts: Set<number> },
  old?: KubeObject,
  cidr = DEFAULT_SERVICE_CIDR,
): FieldError[] {
  const s = svc.spec;
  if (!s || typeof s !== 'object') return [];
  const errs: FieldError[] = [];
  if (old) carryAllocated(svc, old);
  const ownIPs = new Set<string>(old?.spec?.clusterIPs ?? []);
  const ownPorts = new Set<number>(((old?.spec?.ports as any[]) ?? []).map((p) => p?.nodePort).filter(Boolean));
  if (s.type === 'ExternalName') {
    delete s.clusterIP;
    delete s.clusterIPs;
  } else if (s.clusterIP !== 'None') {
    if (!s.clusterIP) {
      const ip = allocateClusterIP(inUse.ips, cidr);
      if (!ip) return [{ field: 'spec.clusterIPs', type: 'FieldValueInternal', detail: 'Internal error: failed to allocate a serviceIP: range is full' }];
      s.clusterIP = ip;
    } else if (inUse.ips.has(s.clusterIP) && !ownIPs.has(s.clusterIP)) {
      errs.push(invalidValue('spec.clusterIPs', [s.clusterIP], `failed to allocate IP ${s.clusterIP}: provided IP is already allocated`));
    }
    s.clusterIPs = [s.clusterIP];
  } else {
    s.clusterIPs = ['None'];
  }
  if (s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false)) {
    const taken = new Set(inUse.nodePorts);
    ((s.ports as any[]) ?? []).forEach((p, i) => {
      if (!p || typeof p !== 'object') return;
      if (p.nodePort) {
        if (taken.has(p.nodePort) && !ownPorts.has(p.nodePort)) errs.push(invalidValue(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
      } else {
        const np = allocateNodePort(taken);
        if (np === undefined) errs.push({ field: `spec.ports[${i}].nodePort`, type: 'FieldValueInternal', detail: 'Internal error: failed to allocate a nodePort: range is full' });
        else p.nodePort = np;
      }
      if (p.nodePort) taken.add(p.nodePort);
    });
  }
  return errs;
}
