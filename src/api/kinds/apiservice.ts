// APIService (apiregistration.k8s.io/v1): a group/version the API server serves, locally or from
// an aggregated server. kubesim serves every group in-process (metrics.k8s.io included), so each
// APIService it keeps is Local and Available; `kubectl get apiservices` prints them as on a cluster.
import type { KubeObject } from '../types.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { bool, bytes, int, obj, str } from '../schema.ts';
import { invalidValue, required, type FieldError } from '../errors.ts';
import { conditionsSchema } from './common.ts';

export const apiService = defineKind({
  group: 'apiregistration.k8s.io',
  version: 'v1',
  kind: 'APIService',
  plural: 'apiservices',
  categories: ['api-extensions'],
  namespaced: false,
  subresources: { status: true },
  description: 'APIService represents a server for a particular GroupVersion. Name must be "version.group".',
  fields: {
    spec: obj('Spec contains information for locating and communicating with a server', {
      service: obj('Service is a reference to the service for this API server. If left empty, requests are handled locally.', {
        namespace: str('Namespace is the namespace of the service'),
        name: str('Name is the name of the service'),
        port: int('If specified, the port on the service that hosting webhook.'),
      }),
      group: str('Group is the API group name this server hosts'),
      version: str('Version is the API version this server hosts.  For example, "v1"'),
      insecureSkipTLSVerify: bool('InsecureSkipTLSVerify disables TLS certificate verification when communicating with this server.'),
      caBundle: bytes('CABundle is a PEM encoded CA bundle which will be used to validate an API server\'s serving certificate.'),
      groupPriorityMinimum: int('GroupPriorityMinimum is the priority this group should have at least.'),
      versionPriority: int('VersionPriority controls the ordering of this API version inside of its group.'),
    }),
    status: obj('Status contains derived information about an API server', { conditions: conditionsSchema('Current service state of apiService.') }),
  },
  validate: (o) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    if (!s.version) errs.push(required('spec.version'));
    const gp = s.groupPriorityMinimum ?? 0;
    if (!(gp > 0 && gp <= 20000)) errs.push(invalidValue('spec.groupPriorityMinimum', gp, 'must be positive and less than 20000'));
    const vp = s.versionPriority ?? 0;
    if (!(vp > 0 && vp <= 1000)) errs.push(invalidValue('spec.versionPriority', vp, 'must be positive and less than 1000'));
    const expected = s.group ? `${s.version}.${s.group}` : s.version;
    if (s.version && o.metadata.name !== expected) errs.push(invalidValue('metadata.name', o.metadata.name, 'must be `spec.version+"."+spec.group`'));
    return errs;
  },
  columns: [col('Service', 'string', 'The reference to the service that hosts this API endpoint.'), col('Available', 'string', 'Whether this service is available.'), ageColumn],
  cells: (o: KubeObject, now) => [apiServiceService(o), apiServiceAvailable(o), age(o, now)],
});

function apiServiceService(o: KubeObject): string {
  const svc = o.spec?.service;
  return svc?.name ? `${svc.namespace}/${svc.name}` : 'Local';
}

/** printers.go: the Available condition's status, with its reason when not True: "False (MissingEndpoints)". */
function apiServiceAvailable(o: KubeObject): string {
  const c = ((o.status?.conditions as any[]) ?? []).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${c.status} (${c.reason})`;
}
