// Pod-to-endpoint rules the Endpoints and EndpointSlice controllers share (pkg/api/v1/pod FindPort,
// endpointutil ShouldPodBeInEndpoints / ShouldSetHostname).
import type { KubeObject } from '../../api/types.ts';
import { deletedObject, labelPredicate, metaNamespaceKey, type DeletedFinalStateUnknown, type SharedInformer } from '../../client/index.ts';
import { isPodTerminated } from './pod.ts';

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

/**
 * ShouldPodBeInEndpoints: has an IP, not finished, and not being deleted unless terminating pods
 * are included (Endpoints: when publishing not-ready addresses; EndpointSlices: always).
 */
export function podInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (isPodTerminated(pod)) return false;
  if (pod.metadata.deletionTimestamp && !includeTerminating) return false;
  return true;
}

/** ShouldSetHostname: the pod's hostname when its subdomain is this Service. */
export function endpointHostname(pod: KubeObject, service: KubeObject): string | undefined {
  const h = pod.spec?.hostname;
  return h && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace ? h : undefined;
}

/** The ObjectReference an endpoint carries to its pod. */
export function podTargetRef(pod: KubeObject): { kind: string; namespace?: string; name?: string; uid?: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

/** The keys of the Services in the pod's namespace whose (non-empty) selector matches the pod. */
export function servicesSelecting(services: SharedInformer, pod: KubeObject): string[] {
  const out: string[] = [];
  for (const s of services.lister.list(undefined, pod.metadata.namespace)) {
    const sel = s.spec?.selector;
    if (sel && Object.keys(sel).length && labelPredicate(sel)(pod.metadata.labels)) out.push(metaNamespaceKey(s));
  }
  return out;
}

/**
 * Pod handlers for a controller keyed by Service: a pod's add, change or delete enqueues the Services
 * selecting it (before and after a label change).
 */
export function podToServiceHandlers(services: SharedInformer, enqueue: (serviceKey: string) => void) {
  const enqueueFor = (pod: KubeObject) => {
    for (const k of servicesSelecting(services, pod)) enqueue(k);
  };
  return {
    onAdd: (p: KubeObject) => enqueueFor(p),
    onUpdate: (o: KubeObject, p: KubeObject) => {
      if (o.metadata.resourceVersion === p.metadata.resourceVersion) return;
      enqueueFor(p);
      if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) enqueueFor(o);
    },
    onDelete: (p: KubeObject | DeletedFinalStateUnknown<KubeObject>) => enqueueFor(deletedObject(p)),
  };
}
