// Node (core/v1, cluster-scoped). Nodes register themselves with their status, so create keeps it.
import type { KubeObject } from '../types.ts';
import { invalidValue, notSupported } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { age, ageColumn, col, defineKind, pathGetter } from '../meta.ts';
import { bool, int, int64, list, map, mergeList, obj, quantity, str, time } from '../schema.ts';
import { validateQuantityMap } from '../quantity.ts';
import { conditionsSchema } from './common.ts';
import { deepCopy } from '../core/json.ts';

const taintSchema = obj('The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
  key: str('Required. The taint key to be applied to a node.'),
  value: str('The taint value corresponding to the taint key.'),
  effect: str('Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.'),
  timeAdded: time('TimeAdded represents the time at which the taint was added. Only written for NoExecute taints.'),
});

const addressSchema = obj('NodeAddress contains information for the node\'s address.', {
  type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'),
  address: str('The node address.'),
});

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export const node = defineKind({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  subresources: { status: true },
  fieldSelectors: { 'spec.unschedulable': (o) => String(!!o.spec?.unschedulable) },
  description: 'Node is a worker node in Kubernetes.',
  fields: {
    spec: obj('Spec defines the behavior of a node.', {
      podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
      podCIDRs: list('podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.', str(), { strategy: 'merge', listType: 'set' }),
      providerID: str('ID of the node assigned by the cloud provider.'),
      unschedulable: bool('Unschedulable controls node schedulability of new pods. By default, node is schedulable.'),
      taints: list('If specified, the node\'s taints.', taintSchema, { listType: 'atomic' }),
      externalID: str('Deprecated. Not all kubelets will set this field.'),
      configSource: obj('Deprecated: previously used to specify the source of the node\'s configuration.', {}, { 'x-kubernetes-preserve-unknown-fields': true }),
    }),
    status: obj('Most recently observed status of the node.', {
      capacity: map('Capacity represents the total resources of a node.', quantity()),
      allocatable: map('Allocatable represents the resources of a node that are available for scheduling.', quantity()),
      phase: str('NodePhase is the recently observed lifecycle phase of the node. Deprecated.'),
      conditions: conditionsSchema('Conditions is an array of current observed node conditions.'),
      addresses: mergeList('List of addresses reachable to the node.', addressSchema, 'type'),
      daemonEndpoints: obj('Endpoints of daemons running on the Node.', {
        kubeletEndpoint: obj('Endpoint on which Kubelet is listening.', { Port: int('Port number of the given endpoint.') }),
      }),
      nodeInfo: obj('Set of ids/uuids to uniquely identify the node.', {
        machineID: str('MachineID reported by the node.'),
        systemUUID: str('SystemUUID reported by the node.'),
        bootID: str('Boot ID reported by the node.'),
        kernelVersion: str("Kernel Version reported by the node from 'uname -r'."),
        osImage: str('OS Image reported by the node from /etc/os-release.'),
        containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API.'),
        kubeletVersion: str('Kubelet Version reported by the node.'),
        kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
        operatingSystem: str('The Operating System reported by the node.'),
        architecture: str('The Architecture reported by the node.'),
        swap: obj('Swap Info reported by the node.', { capacity: int64('Total amount of swap memory in bytes.') }),
      }),
      images: list('List of container images on this node.', obj('Describe a container image.', { names: list('Names by which this image is known.', str()), sizeBytes: int64('The size of the image in bytes.') })),
      volumesInUse: list('List of attachable volumes in use (mounted) by the node.', str()),
      volumesAttached: list('List of volumes that are attached to the node.', obj('AttachedVolume describes a volume attached to a node.', { name: str('Name of the attached volume.'), devicePath: str('DevicePath represents the device path where the volume should be available.') })),
      config: obj('Status of the config assigned to the node via the dynamic Kubelet config feature.', {}, { 'x-kubernetes-preserve-unknown-fields': true }),
      runtimeHandlers: list('The available runtime handlers.', obj('NodeRuntimeHandler is a set of runtime handler information.', { name: str('Runtime handler name.'), features: obj('Supported features.', {}, { 'x-kubernetes-preserve-unknown-fields': true }) })),
      features: obj('Features describes the set of features implemented by the CRI implementation.', {}, { 'x-kubernetes-preserve-unknown-fields': true }),
    }),
  },
  defaults: (o) => {
    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    const st = o.status;
    if (st && typeof st === 'object' && st.capacity && !st.allocatable) st.allocatable = deepCopy(st.capacity);
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    ((o.spec?.taints as any[]) ?? []).forEach((t, i) => {
      const f = `spec.taints[${i}]`;
      if (!t?.key) errs.push({ field: `${f}.key`, type: 'FieldValueRequired', detail: 'Required value' });
      if (!t?.effect) errs.push({ field: `${f}.effect`, type: 'FieldValueRequired', detail: 'Required value' });
      else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
    });
    errs.push(...validateQuantityMap(o.status?.capacity, 'status.capacity'));
    errs.push(...validateQuantityMap(o.status?.allocatable, 'status.allocatable'));
    if (o.spec?.podCIDR !== undefined && typeof o.spec.podCIDR !== 'string') errs.push(invalidValue('spec.podCIDR', o.spec.podCIDR, 'must be a string'));
    return errs;
  },
  columns: [
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release.', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r'.", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API.', 1),
  ],
  cells: (o, now) => {
    const info = o.status?.nodeInfo ?? {};
    return [
      nodeStatusString(o),
      nodeRoles(o).join(',') || '<none>',
      age(o, now),
      info.kubeletVersion ?? '',
      nodeAddress(o, 'InternalIP'),
      nodeAddress(o, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
});

/** "Ready", "NotReady", "Unknown", plus ",SchedulingDisabled" when cordoned. */
export function nodeStatusString(o: KubeObject): string {
  const status: string[] = [];
  const ready = ((o.status?.conditions as any[]) ?? []).find((c) => c?.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (o.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from node-role.kubernetes.io/<role> labels and kubernetes.io/role, sorted. */
export function nodeRoles(o: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r) roles.add(r);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

function nodeAddress(o: KubeObject, type: string): string {
  const a = ((o.status?.addresses as any[]) ?? []).find((x) => x?.type === type);
  return a?.address || '<none>';
}

void int64;
void pathGetter;
