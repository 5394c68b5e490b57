// The Endpoints of a Service as pure functions (pkg/controller/endpoint): the pods its selector picks,
// ready ones under `addresses` and not-ready ones under `notReadyAddresses`, grouped into subsets by
// their resolved port set (RepackSubsets), addresses sorted by IP.
import type { KubeObject } from '../../api/types.ts';
import { isPodReady } from '../util/pod.ts';
import { findPort, podInEndpoints, podTargetRef } from '../util/endpoints.ts';

export { findPort, podInEndpoints } from '../util/endpoints.ts';

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export function endpointSubsets(service: KubeObject, pods: KubeObject[]): any[] {
  const publishNotReady = !!service.spec?.publishNotReadyAddresses;
  const servicePorts: any[] = service.spec?.ports ?? [];
  const groups = new Map<string, { ports: EndpointPort[]; addresses: any[]; notReadyAddresses: any[] }>();
  for (const pod of pods) {
    if (!podInEndpoints(pod, publishNotReady)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (servicePorts.length > 0 && ports.length === 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, addresses: [], notReadyAddresses: [] }));
    const address = {
      ip: pod.status.podIP,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: podTargetRef(pod),
    };
    if (isPodReady(pod) || publishNotReady) g.addresses.push(address);
    else g.notReadyAddresses.push(address);
  }
  const byIp = (a: any, b: any) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byIp) } : {}),
      ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
}

/** The labels an Endpoints object carries: the Service's, plus the headless marker. */
export function endpointsLabels(service: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (service.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return labels;
}
