// Small builders for scheduler tests: nodes and pods as plain objects.
import type { KubeObject } from '../../src/api/types.ts';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  /** More allocatable resources (nvidia.com/gpu, ephemeral-storage, ...). */
  extra?: Record<string, string>;
}

export function node(name: string, o: NodeOpts = {}): KubeObject {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: alloc, allocatable: alloc },
  };
}

export interface PodOpts {
  ns?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  spec?: Record<string, unknown>;
  priority?: number;
  schedulerName?: string;
  annotations?: Record<string, string>;
  created?: string;
  /** More requests (nvidia.com/gpu, ephemeral-storage, ...). */
  requests?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): KubeObject {
  const requests: Record<string, string> = { ...(o.requests ?? {}) };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      labels: o.labels,
      annotations: o.annotations,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx', resources: Object.keys(requests).length ? { requests } : {} }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
      ...(o.spec ?? {}),
    },
    status: { phase: 'Pending' },
  };
}
