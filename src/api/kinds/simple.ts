// Small kinds with no spec/status split: ConfigMap, Secret, ServiceAccount, Endpoints, Lease.
import type { KubeObject } from '../types.ts';
import { invalidValue, notSupported, required } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { age, ageColumn, col, defineKind, pathGetter } from '../meta.ts';
import { bool, bytes, int, list, map, microTime, mergeList, obj, str } from '../schema.ts';
import { fromChecks, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum, nameIsDNSLabel } from '../validation.ts';
import { objectReferenceSchema } from './common.ts';

const CORE = { group: '', version: 'v1' } as const;

/** ConfigMap/Secret data keys: `[-._a-zA-Z0-9]+` (IsConfigMapKey). */
export function isConfigMapKey(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(k))
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateDataKeys(field: string, data: unknown): FieldError[] {
  if (!data || typeof data !== 'object') return [];
  return Object.keys(data).flatMap((k) => fromChecks(`${field}[${k}]`, k, isConfigMapKey(k)));
}

export const configMap = defineKind({
  ...CORE,
  kind: 'ConfigMap',
  plural: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  description: 'ConfigMap holds configuration data for pods to consume.',
  fields: {
    data: map('Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'.'),
    binaryData: map('BinaryData contains the binary data (base64).', bytes()),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  },
  validate: (o, old) => {
    const errs = [...validateDataKeys('data', o.data), ...validateDataKeys('binaryData', o.binaryData)];
    for (const k of Object.keys((o.data as object) ?? {})) {
      if ((o.binaryData as any)?.[k] !== undefined) errs.push({ field: `data[${k}]`, type: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(k)}` });
    }
    if (old) errs.push(...immutableData(o, old));
    return errs;
  },
  columns: [col('Data', 'string', 'Data contains the configuration data.'), ageColumn],
  cells: (o, now) => [Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length, age(o, now)],
});

/** `immutable: true` ConfigMaps/Secrets: data may not change and the flag may not be unset. */
function immutableData(o: KubeObject, old: KubeObject): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push({ field: 'immutable', type: 'FieldValueForbidden', detail: 'Forbidden: field is immutable when `immutable` is set' });
  for (const f of ['data', 'binaryData', 'stringData']) {
    if (JSON.stringify(o[f] ?? {}) !== JSON.stringify(old[f] ?? {}))
      errs.push({ field: f, type: 'FieldValueForbidden', detail: 'Forbidden: field is immutable when `immutable` is set' });
  }
  return errs;
}

export const SECRET_TYPES: Record<string, string[]> = {
  Opaque: [],
  'kubernetes.io/service-account-token': [],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'bootstrap.kubernetes.io/token': [],
};

export const secret = defineKind({
  ...CORE,
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  fieldSelectors: { type: pathGetter('type') },
  description: 'Secret holds secret data of a certain type.',
  fields: {
    data: map('Data contains the secret data (base64 encoded values).', bytes()),
    stringData: map('stringData allows specifying non-binary secret data in string form. It is merged into data on write.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
  },
  defaults: (o) => {
    if (!o.type) o.type = 'Opaque';
    // stringData is write-only: merged into data (base64) on write.
    if (o.stringData && typeof o.stringData === 'object') {
      const data = ((o.data as Record<string, string>) ??= {});
      for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete o.stringData;
    }
  },
  validate: (o, old) => {
    const errs = validateDataKeys('data', o.data);
    const data = (o.data as Record<string, string>) ?? {};
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(invalidValue(`data[${k}]`, '<secret contents redacted>', 'must be base64 encoded'));
    }
    const t = o.type as string;
    for (const key of SECRET_TYPES[t] ?? []) if (data[key] === undefined) errs.push(required(`data[${key}]`));
    if (t === 'kubernetes.io/service-account-token' && !o.metadata.annotations?.['kubernetes.io/service-account.name'])
      errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
    if (old) {
      if (old.type !== o.type) errs.push(invalidValue('type', o.type, 'field is immutable'));
      errs.push(...immutableData(o, old));
    }
    return errs;
  },
  columns: [col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), ageColumn],
  cells: (o, now) => [o.type ?? '', Object.keys((o.data as object) ?? {}).length, age(o, now)],
});

export const serviceAccount = defineKind({
  ...CORE,
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  subresources: { token: true },
  description: 'ServiceAccount binds together a name, a principal that can be authenticated, and a set of secrets.',
  fields: {
    secrets: mergeList('Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', objectReferenceSchema, 'name'),
    imagePullSecrets: list('ImagePullSecrets is a list of references to secrets for pulling images.', obj('LocalObjectReference.', { name: str('Name of the referent.') })),
    automountServiceAccountToken: bool('Whether pods running as this service account should have an API token automatically mounted.'),
  },
  columns: [col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace.'), ageColumn],
  cells: (o, now) => [((o.secrets as unknown[]) ?? []).length, age(o, now)],
});

// ---- Endpoints ----

const endpointAddressSchema = obj('EndpointAddress is a tuple that describes single IP address.', {
  ip: str('The IP of this endpoint.'),
  hostname: str('The Hostname of this endpoint.'),
  nodeName: str('Node hosting this endpoint.'),
  targetRef: objectReferenceSchema,
});
const endpointPortSchema = obj('EndpointPort is a tuple that describes a single port.', {
  name: str('The name of this port.'),
  port: int('The port number of the endpoint.'),
  protocol: str('The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'),
  appProtocol: str('The application protocol for this port.'),
});

export const endpoints = defineKind({
  ...CORE,
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  description: 'Endpoints is a collection of endpoints that implement the actual service.',
  fields: {
    subsets: list(
      'The set of all endpoints is the union of all subsets.',
      obj('EndpointSubset is a group of addresses with a common set of ports.', {
        addresses: list('IP addresses which offer the related ports that are marked as ready.', endpointAddressSchema),
        notReadyAddresses: list('IP addresses which offer the related ports but are not currently marked as ready.', endpointAddressSchema),
        ports: list('Port numbers available on the related IP addresses.', endpointPortSchema),
      }),
    ),
  },
  defaults: (o) => {
    for (const ss of (o.subsets as any[]) ?? []) for (const p of ss?.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    ((o.subsets as any[]) ?? []).forEach((ss, i) => {
      for (const key of ['addresses', 'notReadyAddresses'])
        (ss?.[key] ?? []).forEach((a: any, j: number) => {
          const f = `subsets[${i}].${key}[${j}].ip`;
          if (!a?.ip) errs.push(required(f));
          else if (!isValidIP(a.ip)) errs.push(invalidValue(f, a.ip, 'must be a valid IP address'));
        });
      (ss?.ports ?? []).forEach((p: any, j: number) => {
        const f = `subsets[${i}].ports[${j}]`;
        errs.push(...fromChecks(`${f}.port`, p?.port, isValidPortNum(p?.port)));
        if (p?.name) errs.push(...fromChecks(`${f}.name`, p.name, isDNS1123Label(p.name)));
        if (p?.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
      });
    });
    return errs;
  },
  columns: [col('Endpoints', 'string', 'Endpoints is the list of endpoints in the object.'), ageColumn],
  cells: (o, now) => [formatEndpoints(o), age(o, now)],
});

/** printers.go formatEndpoints: at most 3 "ip:port" entries, then " + N more...". */
export function formatEndpoints(o: KubeObject): string {
  const subsets = (o.subsets as any[]) ?? [];
  if (subsets.length === 0) return '<none>';
  const out: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addrs: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (out.length === max) {
          more = true;
          break;
        }
        out.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (out.length === max) {
          more = true;
          break;
        }
        out.push(hostPort(a.ip, p.port));
      }
    }
  }
  const ret = out.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<none>' : ret;
}

// ---- Lease ----

export const lease = defineKind({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  description: 'Lease defines a lease concept.',
  fields: {
    spec: obj('spec contains the specification of the Lease.', {
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: microTime('acquireTime is a time when the current lease was acquired.'),
      renewTime: microTime('renewTime is a time when the current holder of a lease has last updated the lease.'),
      leaseTransitions: int('leaseTransitions is the number of transitions of a lease between holders.'),
      strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
      preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder.'),
    }),
  },
  validate: (o) => {
    const s = (o.spec as any) ?? {};
    const errs: FieldError[] = [];
    if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds !== null && !(s.leaseDurationSeconds > 0))
      errs.push(invalidValue('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
    if (s.leaseTransitions !== undefined && s.leaseTransitions !== null && s.leaseTransitions < 0)
      errs.push(invalidValue('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'));
    return errs;
  },
  columns: [col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells: (o, now) => [(o.spec as any)?.holderIdentity ?? '', age(o, now)],
});

void nameIsDNSLabel;
void isDNS1123Subdomain;
