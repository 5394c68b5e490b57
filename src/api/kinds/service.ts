// Service (core/v1). ClusterIP/NodePort allocation belongs to the API server (it needs state);
// here: defaults, validation, the clusterIP immutability rule and the table.
import type { KubeObject } from '../types.ts';
import { duplicate, invalidValue, notSupported, required } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { age, ageColumn, col, defineKind, resetStatus } from '../meta.ts';
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
