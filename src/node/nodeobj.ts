// Pure builders for what a node agent writes: the Node object (labels, capacity, addresses,
// nodeInfo, conditions) and its heartbeat Lease. Addresses and pod CIDRs derive from the node's
// index in the pool, so a restarted pool computes the same ones.
import type { KubeObject } from '../api/types.ts';
import type { Taint } from '../api/core/index.ts';
import { hexId, rfc3339 } from './units.ts';

export const KUBELET_VERSION = 'v1.32.0';
export const LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeShape {
  cpu: string;
  memory: string;
  pods: number;
  ephemeralStorage: string;
  labels: Record<string, string>;
  taints: Taint[];
  zones?: string[];
  region?: string;
  instanceType: string;
  kubeletUrl: string;
  kubeletPort: number;
}

function ip(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The InternalIP of node i: 10.A.B.C with C in 2..251, unique for i < 8M. */
export function nodeIP(i: number): string {
  const a = Math.floor(i / 250);
  return ip((10 << 24) + ((a & 0x7fff) << 8) + ((i % 250) + 2));
}

/** The pod CIDR of node i: 10.(128 + i/256).(i%256).0/24, unique for i < 32,768. */
export function podCIDR(i: number): string {
  return `${ip((10 << 24) + ((128 + ((i >> 8) & 127)) << 16) + ((i & 255) << 8))}/24`;
}

/** The n-th pod address of a /24 CIDR (n from 0 → .2). */
export function podIPIn(cidr: string, n: number): string {
  const base = cidr.split('/')[0].split('.').map(Number);
  return `${base[0]}.${base[1]}.${base[2]}.${n + 2}`;
}

export function zoneOf(shape: NodeShape, i: number): string | undefined {
  return shape.zones?.length ? shape.zones[i % shape.zones.length] : undefined;
}

export function nodeLabels(name: string, i: number, shape: NodeShape): Record<string, string> {
  const zone = zoneOf(shape, i);
  const region = shape.region ?? (zone ? zone.replace(/-?[a-z]$/, '') || zone : undefined);
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': shape.instanceType,
    'type': 'kubesim',
    ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}),
    ...(region ? { 'topology.kubernetes.io/region': region } : {}),
    ...shape.labels,
  };
}

/** Node annotations that make the agent report a condition (chaos / learning): value "true". */
export const CONDITION_ANNOTATIONS = {
  memoryPressure: 'kubesim.io/memory-pressure',
  diskPressure: 'kubesim.io/disk-pressure',
  pidPressure: 'kubesim.io/pid-pressure',
  notReady: 'kubesim.io/not-ready',
} as const;

/** The condition statuses the agent reports for a node, from its annotations. */
export function desiredConditions(node: KubeObject | undefined): Record<string, 'True' | 'False'> {
  const a = node?.metadata.annotations ?? {};
  const on = (k: string) => a[k] === 'true';
  return {
    MemoryPressure: on(CONDITION_ANNOTATIONS.memoryPressure) ? 'True' : 'False',
    DiskPressure: on(CONDITION_ANNOTATIONS.diskPressure) ? 'True' : 'False',
    PIDPressure: on(CONDITION_ANNOTATIONS.pidPressure) ? 'True' : 'False',
    Ready: on(CONDITION_ANNOTATIONS.notReady) ? 'False' : 'True',
  };
}

export function nodeConditions(now: number, previous?: any[], want: Record<string, 'True' | 'False'> = desiredConditions(undefined)): any[] {
  const hb = rfc3339(now);
  const keep = (type: string, status: string) => {
    const p = previous?.find((c) => c.type === type);
    return p && p.status === status ? p.lastTransitionTime : hb;
  };
  const c = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: hb,
    lastTransitionTime: keep(type, status),
    reason,
    message,
  });
  const pick = (type: string, ok: [string, string, string], bad: [string, string, string]) => {
    const [status, reason, message] = want[type] === ok[0] ? ok : bad;
    return c(type, status, reason, message);
  };
  return [
    pick('MemoryPressure', ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'], ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']),
    pick('DiskPressure', ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'], ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure']),
    pick('PIDPressure', ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'], ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available']),
    pick('Ready', ['True', 'KubeletReady', 'kubelet is posting ready status'], ['False', 'KubeletNotReady', 'container runtime is down']),
  ];
}

/** A node's capacity (and allocatable: kubesim reserves nothing). */
export function nodeResources(shape: NodeShape): Record<string, string> {
  return {
    cpu: shape.cpu,
    memory: shape.memory,
    pods: String(shape.pods),
    'ephemeral-storage': shape.ephemeralStorage,
  };
}

export function nodeStatus(name: string, i: number, shape: NodeShape, now: number, previous?: any, want?: Record<string, 'True' | 'False'>): any {
  const resources = nodeResources(shape);
  return {
    capacity: resources,
    allocatable: { ...resources },
    conditions: nodeConditions(now, previous?.conditions, want),
    addresses: [
      { type: 'InternalIP', address: nodeIP(i) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: shape.kubeletPort } },
    nodeInfo: {
      machineID: hexId(`machine/${name}`, 32),
      systemUUID: uuid(hexId(`uuid/${name}`, 32)),
      bootID: uuid(hexId(`boot/${name}`, 32)),
      kernelVersion: '6.1.0-kubesim-amd64',
      osImage: 'kubesim simulated node (Debian GNU/Linux 12)',
      containerRuntimeVersion: 'kubesim://0.1',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

function uuid(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The Node a fresh registration creates. */
export function buildNode(name: string, i: number, shape: NodeShape, now: number): KubeObject {
  const cidr = podCIDR(i);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(name, i, shape),
      annotations: {
        'kubesim.io/kubelet-url': shape.kubeletUrl,
        'node.alpha.kubernetes.io/ttl': '0',
      },
    },
    spec: {
      podCIDR: cidr,
      podCIDRs: [cidr],
      providerID: `kubesim://${name}`,
      ...(shape.taints.length ? { taints: shape.taints } : {}),
    },
    status: nodeStatus(name, i, shape, now),
  };
}

/** MicroTime, as Lease renewTime serializes: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // …T12:34:56.789Z
  return `${iso.slice(0, -1)}000Z`;
}

export function buildLease(name: string, nodeUid: string | undefined, durationSeconds: number, now: number): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}
