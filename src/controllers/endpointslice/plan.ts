// The EndpointSlices of a Service as pure functions (pkg/controller/endpointslice and the
// endpointslice reconciler in staging): one endpoint per pod the selector picks (ready, serving and
// terminating from its readiness and deletion), grouped by resolved port set, at most
// maxEndpointsPerSlice per slice. Existing slices are kept and updated in place; leftover endpoints
// fill slices with room, then new slices (`<service>-` + random); empty slices go, except one
// placeholder when the Service has no endpoints at all.
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual, deepCopy } from '../../api/core/json.ts';
import { isPodReady } from '../util/pod.ts';
import { endpointHostname, findPort, podInEndpoints, podTargetRef } from '../util/endpoints.ts';
import { newControllerRef } from '../util/owner.ts';

import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../api/kinds/endpointslice.ts';

export { MANAGED_BY_LABEL, SERVICE_NAME_LABEL };
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** getEndpointPorts: the Service's ports resolved on the pod (named targetPorts by container port name). */
export function endpointPorts(service: KubeObject, pod: KubeObject): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of (service.spec?.ports as any[]) ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** The address type of a Service's slices: its first IP family. */
export function addressTypeOf(service: KubeObject): 'IPv4' | 'IPv6' {
  return (service.spec?.ipFamilies as string[] | undefined)?.[0] === 'IPv6' ? 'IPv6' : 'IPv4';
}

const familyOf = (ip: string) => (ip.includes(':') ? 'IPv6' : 'IPv4');

/** podToEndpoint: the pod's IPs of the address type, its conditions, node, zone and hostname. */
export function podToEndpoint(pod: KubeObject, service: KubeObject, addressType: string, zoneOf: (node: string) => string | undefined): any | undefined {
  const ips: string[] = ((pod.status?.podIPs as any[]) ?? []).map((p) => p?.ip).filter(Boolean);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  const addresses = ips.filter((ip) => familyOf(ip) === addressType).slice(0, 1);
  if (addresses.length === 0) return undefined;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = !!service.spec?.publishNotReadyAddresses || (serving && !terminating);
  const node = pod.spec?.nodeName as string | undefined;
  const zone = node ? zoneOf(node) : undefined;
  const hostname = endpointHostname(pod, service);
  return {
    addresses,
    conditions: { ready, serving, terminating },
    ...(hostname ? { hostname } : {}),
    targetRef: podTargetRef(pod),
    ...(node ? { nodeName: node } : {}),
    ...(zone ? { zone } : {}),
  };
}

/** setEndpointSliceLabels: the Service's labels (minus the reserved ones), its name, the manager, headless. */
export function sliceLabels(service: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL) labels[k] = v;
  labels[SERVICE_NAME_LABEL] = service.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (service.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

const portsKey = (ports: SlicePort[]) => JSON.stringify([...ports].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.port - b.port)));
const endpointKey = (ep: any) => `${ep?.targetRef?.namespace ?? ''}/${ep?.targetRef?.name ?? ''}/${(ep?.addresses ?? []).join(',')}`;

export interface SliceInputs {
  service: KubeObject;
  pods: KubeObject[];
  /** The slices this controller manages for the Service. */
  slices: KubeObject[];
  zoneOf?: (node: string) => string | undefined;
  maxEndpointsPerSlice?: number;
  /** The last-change-trigger-time annotation written on changed slices. */
  now?: string;
}

/** reconcile: the slices to create, update and delete so the Service's slices hold exactly its endpoints. */
export function planEndpointSlices(inp: SliceInputs): SlicePlan {
  const { service } = inp;
  const max = inp.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  const addressType = addressTypeOf(service);
  const zoneOf = inp.zoneOf ?? (() => undefined);
  // Desired endpoints by port set.
  const desired = new Map<string, { ports: SlicePort[]; endpoints: Map<string, any> }>();
  for (const pod of [...inp.pods].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    if (!podInEndpoints(pod, true)) continue;
    const ep = podToEndpoint(pod, service, addressType, zoneOf);
    if (!ep) continue;
    const ports = endpointPorts(service, pod);
    const k = portsKey(ports);
    let g = desired.get(k);
    if (!g) desired.set(k, (g = { ports, endpoints: new Map() }));
    g.endpoints.set(endpointKey(ep), ep);
  }
  const labels = sliceLabels(service);
  const owner = newControllerRef(service, 'v1', 'Service');
  const annotate = (s: KubeObject) => {
    if (inp.now) s.metadata.annotations = { ...(s.metadata.annotations ?? {}), 'endpoints.kubernetes.io/last-change-trigger-time': inp.now };
  };
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const kept: { slice: KubeObject; changed: boolean; key: string }[] = [];
  for (const existing of inp.slices) {
    const k = portsKey(((existing.ports as SlicePort[]) ?? []).map((p) => ({ ...p, name: p.name ?? '' })));
    const g = desired.get(k);
    if (!g || existing.addressType !== addressType) {
      plan.delete.push(existing);
      continue;
    }
    const slice = deepCopy(existing) as KubeObject;
    const endpoints: any[] = [];
    for (const ep of (existing.endpoints as any[]) ?? []) {
      const want = g.endpoints.get(endpointKey(ep));
      if (!want) continue;
      endpoints.push(want);
      g.endpoints.delete(endpointKey(ep));
    }
    slice.endpoints = endpoints;
    const changed = !jsonEqual(endpoints, existing.endpoints ?? []) || !jsonEqual(existing.metadata.labels ?? {}, labels);
    slice.metadata.labels = labels;
    kept.push({ slice, changed, key: k });
  }
  // Leftover endpoints: into kept slices with room (those changing anyway first), then new slices.
  kept.sort((a, b) => Number(b.changed) - Number(a.changed));
  for (const [k, g] of desired) {
    const rest = [...g.endpoints.values()];
    for (const s of kept) {
      if (s.key !== k || rest.length === 0) continue;
      const eps = s.slice.endpoints as any[];
      const room = max - eps.length;
      if (room <= 0) continue;
      eps.push(...rest.splice(0, room));
      s.changed = true;
    }
    while (rest.length) {
      const slice: KubeObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${service.metadata.name}-`, namespace: service.metadata.namespace, labels: { ...labels }, ownerReferences: [owner] },
        addressType,
        endpoints: rest.splice(0, max),
        ports: g.ports,
      };
      annotate(slice);
      plan.create.push(slice);
    }
  }
  const nonEmpty = kept.filter((s) => (s.slice.endpoints as any[]).length > 0);
  for (const s of kept) if ((s.slice.endpoints as any[]).length === 0) plan.delete.push(s.slice);
  if (nonEmpty.length === 0 && plan.create.length === 0) {
    // The placeholder: an existing empty slice without ports, or a new one.
    const i = plan.delete.findIndex((s) => ((s.endpoints as any[]) ?? []).length === 0 && ((s.ports as any[]) ?? []).length === 0 && s.addressType === addressType);
    if (i >= 0) {
      const [ph] = plan.delete.splice(i, 1);
      if (!jsonEqual(ph.metadata.labels ?? {}, labels)) {
        const copy = deepCopy(ph) as KubeObject;
        copy.metadata.labels = labels;
        plan.update.push(copy);
      }
    } else {
      plan.create.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${service.metadata.name}-`, namespace: service.metadata.namespace, labels: { ...labels }, ownerReferences: [owner] },
        addressType,
        endpoints: [],
      });
    }
  }
  for (const s of nonEmpty) {
    if (!s.changed) continue;
    annotate(s.slice);
    plan.update.push(s.slice);
  }
  return plan;
}
