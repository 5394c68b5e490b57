// The Endpoints of a Service as pure functions (pkg/controller/endpoint): the pods its selector picks,
// ready ones under `addresses` and not-ready ones under `notReadyAddresses`, grouped into subsets by
// their resolved port set (RepackSubsets), addresses sorted by IP.
import type { KubeObject } from '../../api/types.ts';
import { isPodReady, isPodTerminated } from '../util/pod.ts';

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** FindPort: a service port's targetPort on this pod (a number, or a named container port). */
export function findPort(pod: KubeObject, servicePort: any): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  const protocol = servicePort.protocol ?? 'TCP';
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** ShouldPodBeInEndpoints: has an IP, not finished, not being deleted (unless publishing not-ready). */
export function podInEndpoints(pod: KubeObject, publishNotReady: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (isPodTerminated(pod)) return false;
  if (pod.metadata.deletionTimestamp && !publishNotReady) return false;
  return true;
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
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
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
