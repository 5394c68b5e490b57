// networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy (pkg/apis/networking): stored and
// validated as Kubernetes does; no ingress controller or network plugin acts on them.
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { labelSelectorToString, validateLabelSelector } from '../labels.ts';
import { int, intOrString, list, obj, str } from '../schema.ts';
import { FIELD_IMMUTABLE, fromChecks, invalidRendered, isDNS1123Subdomain, isValidIP, isValidPortName, isValidPortNum, nameIsDNS1035Label, tooLong } from '../validation.ts';
import { labelSelectorSchema } from './common.ts';

const NET = { group: 'networking.k8s.io', version: 'v1' } as const;
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

// ---- Ingress ----

const typedLocalRef = (description: string) =>
  obj(description, {
    apiGroup: str('APIGroup is the group for the resource being referenced.'),
    kind: str('Kind is the type of resource being referenced'),
    name: str('Name is the name of resource being referenced'),
  });

const ingressBackend = obj('IngressBackend describes all endpoints for a given service and port.', {
  service: obj('service references a service as a backend.', {
    name: str('name is the referenced service. The service must exist in the same namespace as the Ingress object.'),
    port: obj('port of the referenced service.', {
      name: str('name is the name of the port on the Service.'),
      number: int('number is the numerical port number (e.g. 80) on the Service.'),
    }),
  }),
  resource: typedLocalRef('resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object.'),
});

const ingressLoadBalancer = obj('loadBalancer contains the current status of the load-balancer.', {
  ingress: list(
    'ingress is a list containing ingress points for the load-balancer.',
    obj('IngressLoadBalancerIngress represents the status of a load-balancer ingress point.', {
      ip: str('ip is set for load-balancer ingress points that are IP based.'),
      hostname: str('hostname is set for load-balancer ingress points that are DNS based.'),
      ports: list('ports provides information about the ports exposed by this LoadBalancer.', obj('IngressPortStatus represents the error condition of a service port', { port: int('port is the port number of the ingress port.'), protocol: str('protocol is the protocol of the ingress port.'), error: str('error is to record the problem with the service port.') })),
    }),
  ),
});

/** ValidateIngressBackend. */
function validateBackend(b: any, f: string): FieldError[] {
  if (!b || typeof b !== 'object') return [invalidValue(f, '', 'resource or service backend is required')];
  if (b.resource && b.service) return [invalidValue(f, '', 'cannot set both resource and service backends')];
  const errs: FieldError[] = [];
  if (b.resource) {
    if (!b.resource.kind) errs.push(required(`${f}.resource.kind`));
    if (!b.resource.name) errs.push(required(`${f}.resource.name`));
    return errs;
  }
  if (!b.service) return [invalidValue(f, '', 'resource or service backend is required')];
  const svc = b.service;
  if (!svc.name) errs.push(required(`${f}.service.name`));
  else errs.push(...fromChecks(`${f}.service.name`, svc.name, nameIsDNS1035Label(svc.name, false)));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalidValue(f, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...fromChecks(`${f}.service.port.name`, portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...fromChecks(`${f}.service.port.number`, portNumber, isValidPortNum(portNumber)));
  else errs.push({ ...required(f), detail: 'Required value: port name or number is required' });
  return errs;
}

/** A rule's host: a DNS name (a leading "*." wildcard allowed), never an IP. */
function validateHost(host: string, f: string): FieldError[] {
  if (isValidIP(host)) return [invalidValue(f, host, 'must be a DNS name, not an IP address')];
  if (host.startsWith('*.')) {
    const rest = host.slice(2);
    return isDNS1123Subdomain(rest).length ? [invalidValue(f, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")] : [];
  }
  return fromChecks(f, host, isDNS1123Subdomain(host));
}

function validateIngressSpec(s: any): FieldError[] {
  const errs: FieldError[] = [];
  const rules: any[] = Array.isArray(s.rules) ? s.rules : [];
  if (rules.length === 0 && !s.defaultBackend) errs.push(invalidRendered('spec', '[]networking.IngressRule(nil)', 'either `defaultBackend` or `rules` must be specified'));
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const f = `spec.rules[${i}]`;
    if (r?.host) errs.push(...validateHost(r.host, `${f}.host`));
    if (!r?.http) return;
    const paths: any[] = Array.isArray(r.http.paths) ? r.http.paths : [];
    if (paths.length === 0) errs.push(required(`${f}.http.paths`));
    paths.forEach((p, j) => {
      const pf = `${f}.http.paths[${j}]`;
      if (!p?.pathType) errs.push({ ...required(`${pf}.pathType`), detail: 'Required value: pathType must be specified' });
      else if (!PATH_TYPES.includes(p.pathType)) errs.push(notSupported(`${pf}.pathType`, p.pathType, PATH_TYPES));
      else if (p.pathType !== 'ImplementationSpecific' && !String(p.path ?? '').startsWith('/')) errs.push(invalidValue(`${pf}.path`, p.path ?? '', 'must be an absolute path'));
      errs.push(...validateBackend(p?.backend, `${pf}.backend`));
    });
  });
  ((s.tls as any[]) ?? []).forEach((t, i) => {
    ((t?.hosts as string[]) ?? []).forEach((h, j) => errs.push(...validateHost(String(h), `spec.tls[${i}].hosts[${j}]`)));
    if (t?.secretName) errs.push(...fromChecks(`spec.tls[${i}].secretName`, t.secretName, isDNS1123Subdomain(t.secretName)));
  });
  if (s.ingressClassName != null) errs.push(...fromChecks('spec.ingressClassName', s.ingressClassName, isDNS1123Subdomain(s.ingressClassName)));
  return errs;
}

/** printers.go formatHosts: up to 3 hosts, "*" when no rule names one. */
export function formatIngressHosts(rules: any[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const r of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && r?.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${(rules ?? []).length - max} more...` : ret;
}

/** The load balancer's IPs/hostnames, cut to 16 characters in the narrow table. */
function ingressAddress(o: KubeObject): string {
  const r = ((o.status?.loadBalancer?.ingress as any[]) ?? []).map((i) => i?.ip || i?.hostname).filter(Boolean).join(',');
  return r.length > 16 ? r.slice(0, 13) + '...' : r;
}

export const ingress = defineKind({
  ...NET,
  kind: 'Ingress',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  subresources: { status: true },
  description: 'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.',
  fields: {
    spec: obj('spec is the desired state of the Ingress.', {
      ingressClassName: str('ingressClassName is the name of an IngressClass cluster resource.'),
      defaultBackend: ingressBackend,
      tls: list('tls represents the TLS configuration.', obj('IngressTLS describes the transport layer security associated with an ingress.', { hosts: list('hosts is a list of hosts included in the TLS certificate.', str(), { listType: 'atomic' }), secretName: str('secretName is the name of the secret used to terminate TLS traffic on port 443.') }), { listType: 'atomic' }),
      rules: list(
        'rules is a list of host rules used to configure the Ingress.',
        obj('IngressRule represents the rules mapping the paths under a specified host to the related backend services.', {
          host: str('host is the fully qualified domain name of a network host, as defined by RFC 3986.'),
          http: obj('HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
            paths: list('paths is a collection of paths that map requests to backends.', obj('HTTPIngressPath associates a path with a backend.', { path: str('path is matched against the path of an incoming request.'), pathType: str('pathType determines the interpretation of the path matching: Exact, Prefix or ImplementationSpecific.'), backend: ingressBackend }), { listType: 'atomic' }),
          }),
        }),
        { listType: 'atomic' },
      ),
    }),
    status: obj('status is the current state of the Ingress.', { loadBalancer: ingressLoadBalancer }),
  },
  validate: (o) => validateIngressSpec(o.spec ?? {}),
  strategy: { specFields: ['spec'], prepareForCreate: (o) => void (o.status = {}) },
  columns: [
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells: (o, now) => [o.spec?.ingressClassName ?? '<none>', formatIngressHosts(o.spec?.rules), ingressAddress(o), (o.spec?.tls ?? []).length ? '80, 443' : '80', age(o, now)],
});

// ---- IngressClass ----

const MAX_CONTROLLER_LEN = 250;

/** IsDomainPrefixedPath: "example.com/path". */
function validateDomainPrefixedPath(v: string, f: string): FieldError[] {
  if (!v) return [required(f)];
  const i = v.indexOf('/');
  if (i <= 0 || i === v.length - 1) return [invalidValue(f, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = fromChecks(f, v.slice(0, i), isDNS1123Subdomain(v.slice(0, i)));
  const path = v.slice(i + 1);
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(path)) errs.push(invalidValue(f, path, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  return errs;
}

export const ingressClass = defineKind({
  ...NET,
  kind: 'IngressClass',
  plural: 'ingressclasses',
  namespaced: false,
  description: 'IngressClass represents the class of the Ingress, referenced by the Ingress Spec.',
  fields: {
    spec: obj('spec is the desired state of the IngressClass.', {
      controller: str('controller refers to the name of the controller that should handle this class, a domain-prefixed path (e.g. "acme.io/ingress-controller"). This field is immutable.'),
      parameters: obj('parameters is a link to a custom resource containing additional configuration for the controller.', {
        apiGroup: str('apiGroup is the group for the resource being referenced.'),
        kind: str('kind is the type of resource being referenced.'),
        name: str('name is the name of resource being referenced.'),
        scope: str('scope represents if this refers to a cluster or namespace scoped resource: "Cluster" (default) or "Namespace".'),
        namespace: str('namespace is the namespace of the resource being referenced (when scope is "Namespace").'),
      }),
    }),
  },
  validate: (o) => {
    const c = String(o.spec?.controller ?? '');
    const errs: FieldError[] = [];
    if (c.length > MAX_CONTROLLER_LEN) errs.push(tooLong('spec.controller', MAX_CONTROLLER_LEN));
    errs.push(...validateDomainPrefixedPath(c, 'spec.controller'));
    const p = o.spec?.parameters;
    if (p) {
      if (!p.kind) errs.push(required('spec.parameters.kind'));
      if (!p.name) errs.push(required('spec.parameters.name'));
      const scope = p.scope ?? 'Cluster';
      if (!['Cluster', 'Namespace'].includes(scope)) errs.push(notSupported('spec.parameters.scope', scope, ['Cluster', 'Namespace']));
      if (scope === 'Namespace' && !p.namespace) errs.push({ ...required('spec.parameters.namespace'), detail: 'Required value: `parameters.scope` is set to "Namespace"' });
    }
    return errs;
  },
  strategy: {
    specFields: ['spec'],
    validateUpdate: (o, old) => (o.spec?.controller !== old.spec?.controller ? [invalidValue('spec.controller', o.spec?.controller ?? '', FIELD_IMMUTABLE)] : []),
  },
  columns: [col('Controller', 'string', 'Controller that is responsible for handling this class'), col('Parameters', 'string', 'A reference to a resource with additional parameters'), ageColumn],
  cells: (o, now) => {
    const p = o.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [o.spec?.controller ?? '', params, age(o, now)];
  },
});

// ---- NetworkPolicy ----

const npPort = obj('NetworkPolicyPort describes a port to allow traffic on', {
  protocol: str('protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP.'),
  port: intOrString('port represents the port on the given protocol. This can either be a numerical or named port on a pod.'),
  endPort: int('endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy.'),
});
const npPeer = obj('NetworkPolicyPeer describes a peer to allow traffic to/from.', {
  podSelector: { ...labelSelectorSchema, description: 'podSelector is a label selector which selects pods.' },
  namespaceSelector: { ...labelSelectorSchema, description: 'namespaceSelector selects namespaces using cluster-scoped labels.' },
  ipBlock: obj('ipBlock defines policy on a particular IPBlock.', { cidr: str('cidr is a string representing the IPBlock. Valid examples are "192.168.1.0/24"'), except: list('except is a slice of CIDRs that should not be included within an IPBlock.', str(), { listType: 'atomic' }) }),
});

function validatePorts(ports: any[] | undefined, f: string): FieldError[] {
  const errs: FieldError[] = [];
  (ports ?? []).forEach((p, i) => {
    const pf = `${f}[${i}]`;
    if (p?.protocol != null && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p?.port === 'number') errs.push(...fromChecks(`${pf}.port`, p.port, isValidPortNum(p.port)));
    else if (typeof p?.port === 'string') errs.push(...fromChecks(`${pf}.port`, p.port, isValidPortName(p.port)));
    if (p?.endPort != null) {
      if (typeof p.port !== 'number') errs.push({ ...required(`${pf}.endPort`), type: 'FieldValueForbidden', detail: 'Forbidden: may not be specified when `port` is non-numeric' });
      else if (p.endPort < p.port) errs.push(invalidValue(`${pf}.endPort`, p.endPort, 'must be greater than or equal to `port`'));
    }
  });
  return errs;
}

function validatePeers(peers: any[] | undefined, f: string): FieldError[] {
  const errs: FieldError[] = [];
  (peers ?? []).forEach((p, i) => {
    const pf = `${f}[${i}]`;
    const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => p?.[k] != null).length;
    if (n === 0) errs.push({ ...required(pf), detail: 'Required value: must specify a peer' });
    else if (p.ipBlock && n > 1) errs.push({ field: pf, type: 'FieldValueForbidden', detail: 'Forbidden: may not specify more than 1 peer' });
    errs.push(...validateLabelSelector(p?.podSelector, `${pf}.podSelector`), ...validateLabelSelector(p?.namespaceSelector, `${pf}.namespaceSelector`));
    if (p?.ipBlock && !/^[0-9a-fA-F:.]+\/\d+$/.test(String(p.ipBlock.cidr ?? ''))) errs.push(p.ipBlock.cidr ? invalidValue(`${pf}.ipBlock.cidr`, p.ipBlock.cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)') : required(`${pf}.ipBlock.cidr`));
  });
  return errs;
}

export const networkPolicy = defineKind({
  ...NET,
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  shortNames: ['netpol'],
  namespaced: true,
  description: 'NetworkPolicy describes what network traffic is allowed for a set of Pods',
  fields: {
    spec: obj('spec represents the specification of the desired behavior for this NetworkPolicy.', {
      podSelector: { ...labelSelectorSchema, description: 'podSelector selects the pods to which this NetworkPolicy object applies. An empty selector matches all pods in this namespace.' },
      ingress: list('ingress is a list of ingress rules to be applied to the selected pods.', obj('NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec\'s podSelector.', { ports: list('ports is a list of ports which should be made accessible on the pods selected for this rule.', npPort, { listType: 'atomic' }), from: list('from is a list of sources which should be able to access the pods selected for this rule.', npPeer, { listType: 'atomic' }) }), { listType: 'atomic' }),
      egress: list('egress is a list of egress rules to be applied to the selected pods.', obj('NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec\'s podSelector.', { ports: list('ports is a list of destination ports for outgoing traffic.', npPort, { listType: 'atomic' }), to: list('to is a list of destinations for outgoing traffic of pods selected for this rule.', npPeer, { listType: 'atomic' }) }), { listType: 'atomic' }),
      policyTypes: list('policyTypes is a list of rule types that the NetworkPolicy relates to: "Ingress", "Egress", or both.', str(), { listType: 'atomic' }),
    }),
  },
  // SetDefaults_NetworkPolicy / SetDefaults_NetworkPolicyPort.
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.podSelector ??= {};
    if (!Array.isArray(s.policyTypes) || s.policyTypes.length === 0) s.policyTypes = ['Ingress', ...(Array.isArray(s.egress) && s.egress.length ? ['Egress'] : [])];
    for (const r of [...((s.ingress as any[]) ?? []), ...((s.egress as any[]) ?? [])]) for (const p of r?.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  },
  validate: (o) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [...validateLabelSelector(s.podSelector, 'spec.podSelector')];
    ((s.ingress as any[]) ?? []).forEach((r, i) => errs.push(...validatePorts(r?.ports, `spec.ingress[${i}].ports`), ...validatePeers(r?.from, `spec.ingress[${i}].from`)));
    ((s.egress as any[]) ?? []).forEach((r, i) => errs.push(...validatePorts(r?.ports, `spec.egress[${i}].ports`), ...validatePeers(r?.to, `spec.egress[${i}].to`)));
    const types: any[] = s.policyTypes ?? [];
    types.forEach((t, i) => {
      if (!['Ingress', 'Egress'].includes(t)) errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Egress', 'Ingress']));
    });
    if (types.length > 2) errs.push(invalidRendered('spec.policyTypes', `[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`, 'may not specify more than two policyTypes'));
    return errs;
  },
  strategy: { specFields: ['spec'] },
  columns: [col('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.'), ageColumn],
  cells: (o, now) => [labelSelectorToString(o.spec?.podSelector) || '<none>', age(o, now)],
});

