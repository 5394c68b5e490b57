// EndpointSlice (discovery.k8s.io/v1): a Service's endpoints in slices of at most 100, written by
// the endpointslice controller (and for `default/kubernetes` by the API server). Defaults, validation
// (ValidateEndpointSlice) and the ADDRESSTYPE / PORTS / ENDPOINTS columns as Kubernetes has them.
import type { FieldError } from '../errors.ts';
import { duplicate, invalidValue, notSupported, required } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { bool, int, list, map, obj, str } from '../schema.ts';
import { FIELD_IMMUTABLE, fromChecks, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, tooMany, validateLabels } from '../validation.ts';
import { objectReferenceSchema } from './common.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

function validateAddress(type: string, a: unknown, f: string): FieldError[] {
  const v = typeof a === 'string' ? a : '';
  switch (type) {
    case 'IPv4':
      return isValidIP(v) && !v.includes(':') ? [] : [invalidValue(f, a, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isValidIP(v) && v.includes(':') ? [] : [invalidValue(f, a, 'must be a valid IPv6 address')];
    case 'FQDN':
      return fromChecks(f, a, isDNS1123Subdomain(v));
    default:
      return [];
  }
}

function validateEndpoints(o: KubeObject): FieldError[] {
  const eps: any[] = (o.endpoints as any[]) ?? [];
  if (eps.length > MAX_ENDPOINTS) return [tooMany('endpoints', eps.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  eps.forEach((ep, i) => {
    const f = `endpoints[${i}]`;
    const addrs: unknown[] = ep?.addresses ?? [];
    if (addrs.length === 0) errs.push({ field: `${f}.addresses`, type: 'FieldValueRequired', detail: 'Required value: must contain at least 1 address' });
    else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(`${f}.addresses`, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => errs.push(...validateAddress(o.addressType as string, a, `${f}.addresses[${j}]`)));
    if (ep?.nodeName) errs.push(...fromChecks(`${f}.nodeName`, ep.nodeName, isDNS1123Subdomain(ep.nodeName)));
    if (ep?.hostname) errs.push(...fromChecks(`${f}.hostname`, ep.hostname, isDNS1123Label(ep.hostname)));
    if (ep?.deprecatedTopology) errs.push(...validateLabels(ep.deprecatedTopology, `${f}.deprecatedTopology`));
  });
  return errs;
}

function validatePorts(o: KubeObject): FieldError[] {
  const ports: any[] = (o.ports as any[]) ?? [];
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `ports[${i}]`;
    const name = p?.name ?? '';
    if (name) errs.push(...fromChecks(`${f}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${f}.name`, name));
    names.add(name);
    if (!p?.protocol) errs.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    if (p?.appProtocol) errs.push(...fromChecks(`${f}.appProtocol`, p.appProtocol, isQualifiedName(p.appProtocol)));
  });
  return errs;
}

function validateAddressType(o: KubeObject): FieldError[] {
  if (!o.addressType) return [required('addressType')];
  if (!ADDRESS_TYPES.includes(o.addressType as string)) return [notSupported('addressType', o.addressType, ADDRESS_TYPES)];
  return [];
}

/** listWithMoreString: the first 3, then " + N more...", or "<unset>". */
function listWithMore(items: string[]): string {
  const max = 3;
  if (items.length === 0) return '<unset>';
  const head = items.slice(0, max).join(',');
  return items.length > max ? `${head} + ${items.length - max} more...` : head;
}

/** formatDiscoveryPorts: port numbers (or the name, or "*"). */
export function formatSlicePorts(o: KubeObject): string {
  return listWithMore(((o.ports as any[]) ?? []).map((p) => (typeof p?.port === 'number' ? String(p.port) : p?.name ? p.name : '*')));
}

/** formatDiscoveryEndpoints: every address of every endpoint. */
export function formatSliceEndpoints(o: KubeObject): string {
  return listWithMore(((o.endpoints as any[]) ?? []).flatMap((e) => (e?.addresses as string[]) ?? []));
}

export const endpointSlice = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  description: 'EndpointSlice represents a set of service endpoints.',
  fields: {
    addressType: str('addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. Supported types are IPv4, IPv6, and FQDN.'),
    endpoints: list(
      'endpoints is a list of unique endpoints in this slice.',
      obj('Endpoint represents a single logical "backend" implementing a service.', {
        addresses: list('addresses of this endpoint.', str(), { listType: 'set' }),
        conditions: obj('conditions contains information about the current status of the endpoint.', {
          ready: bool('ready indicates that this endpoint is ready to receive traffic, according to whatever system is managing the endpoint.'),
          serving: bool('serving indicates that this endpoint is able to receive traffic, according to whatever system is managing the endpoint.'),
          terminating: bool('terminating indicates that this endpoint is terminating.'),
        }),
        hostname: str('hostname of this endpoint.'),
        targetRef: objectReferenceSchema,
        deprecatedTopology: map('deprecatedTopology contains topology information part of the v1beta1 API.'),
        nodeName: str('nodeName represents the name of the Node hosting this endpoint.'),
        zone: str('zone is the name of the Zone this endpoint exists in.'),
        hints: obj('hints contains information associated with how an endpoint should be consumed.', {
          forZones: list('forZones indicates the zone(s) this endpoint should be consumed by.', obj('ForZone provides information about which zones should consume this endpoint.', { name: str('name represents the name of the zone.') })),
        }),
      }),
      { listType: 'atomic' },
    ),
    ports: list(
      'ports specifies the list of network ports exposed by each endpoint in this slice.',
      obj('EndpointPort represents a Port used by an EndpointSlice', {
        name: str('name represents the name of this port.'),
        protocol: str('protocol represents the IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'),
        port: int('port represents the port number of the endpoint.'),
        appProtocol: str('The application protocol for this port.'),
      }),
      { listType: 'atomic' },
    ),
  },
  defaults: (o) => {
    for (const p of (o.ports as any[]) ?? []) {
      if (!p || typeof p !== 'object') continue;
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate: (o, old) => {
    const errs = [...validateAddressType(o), ...validateEndpoints(o), ...validatePorts(o)];
    if (old && old.addressType !== o.addressType) errs.push(invalidValue('addressType', o.addressType, FIELD_IMMUTABLE));
    return errs;
  },
  columns: [
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  cells: (o, now) => [o.addressType ?? '', formatSlicePorts(o), formatSliceEndpoints(o), age(o, now)],
});
