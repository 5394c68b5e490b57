// Pod (core/v1): status Pending with its QoS class on create, spec immutable except images and a
// few fields, admission defaults (service account, NoExecute tolerations), kubectl's STATUS.
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue } from '../errors.ts';
import { age, ageColumn, col, defineKind, keepOldStatus, pathGetter, translateTimestampSince } from '../meta.ts';
import { bool, freeform, int, list, map, mergeList, obj, quantity, str, time } from '../schema.ts';
import { conditionsSchema } from './common.ts';
import { podQOSClass } from '../core/qos.ts';
import { admitPodDefaults, admitPodUpdate, defaultPodSpec, podSpecSchema, validatePodSpec, validatePodSpecUpdate } from './podspec.ts';

const containerStatus = obj('ContainerStatus contains details for the current status of this container.', {
  name: str('Name is a DNS_LABEL representing the unique name of the container.'),
  state: freeform('State holds details about the container\'s current condition: waiting, running or terminated.'),
  lastState: freeform('LastTerminationState holds the last termination state of the container.'),
  ready: bool('Ready specifies whether the container is currently passing its readiness check.'),
  restartCount: int('RestartCount holds the number of times the container has been restarted.'),
  image: str('Image is the name of container image that the container is running.'),
  imageID: str("ImageID is the image ID of the container's image."),
  containerID: str('ContainerID is the ID of the container in the format \'<type>://<container_id>\'.'),
  started: bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
  allocatedResources: map('AllocatedResources represents the compute resources allocated for this container by the node.', quantity()),
  resources: freeform('Resources represents the compute resource requests and limits that have been successfully enacted on the running container.'),
  volumeMounts: list('Status of volume mounts.', freeform()),
  user: freeform('User represents user identity information initially attached to the first process of the container'),
  allocatedResourcesStatus: list('AllocatedResourcesStatus represents the status of various resources allocated for this Pod.', freeform()),
  stopSignal: str('StopSignal reports the effective stop signal for this container'),
});

const podIP = obj('PodIP represents a single IP address allocated to the pod.', { ip: str('IP is the IP address assigned to the pod') });

export const podStatusSchema = obj('Most recently observed status of the pod.', {
  observedGeneration: int('If set, this represents the .metadata.generation that the pod status was set based upon.'),
  phase: str('The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed, Unknown.'),
  conditions: conditionsSchema('Current service state of pod.'),
  message: str('A human readable message indicating details about why the pod is in this condition.'),
  reason: str("A brief CamelCase message indicating details about why the pod is in this state. e.g. 'Evicted'"),
  nominatedNodeName: str('nominatedNodeName is set only when this pod preempts other pods on the node.'),
  hostIP: str('hostIP holds the IP address of the host to which the pod is assigned.'),
  hostIPs: mergeList('hostIPs holds the IP addresses allocated to the host.', podIP, 'ip'),
  podIP: str('podIP address allocated to the pod.'),
  podIPs: mergeList('podIPs holds the IP addresses allocated to the pod.', podIP, 'ip'),
  startTime: time('RFC 3339 date and time at which the object was acknowledged by the Kubelet.'),
  initContainerStatuses: list('Statuses of init containers in this pod.', containerStatus, { listType: 'atomic' }),
  containerStatuses: list('Statuses of containers in this pod.', containerStatus, { listType: 'atomic' }),
  qosClass: str('The Quality of Service (QOS) classification assigned to the pod based on resource requirements: Guaranteed, Burstable, BestEffort.'),
  ephemeralContainerStatuses: list('Statuses for any ephemeral containers that have run in this pod.', containerStatus, { listType: 'atomic' }),
  resize: str('Status of resources resize desired for pod\'s containers.'),
  resourceClaimStatuses: list('Status of resource claims.', freeform()),
});

/**
 * Specs the validation found valid that can never change (deep-frozen, as the store hands them
 * out): a status write carries the stored spec over as is, so the checks of a pod's later writes
 * (both pure functions of the spec) are not repeated.
 */
const validSpecs = new WeakSet<object>();
const unchangedValidSpecs = new WeakSet<object>();

function onceValid(known: WeakSet<object>, spec: unknown, check: () => FieldError[]): FieldError[] {
  const frozen = spec !== null && typeof spec === 'object' && Object.isFrozen(spec);
  if (frozen && known.has(spec as object)) return [];
  const errs = check();
  if (frozen && errs.length === 0) known.add(spec as object);
  return errs;
}

export const pod = defineKind({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, binding: true, log: true, eviction: true },
  fieldSelectors: {
    'spec.nodeName': pathGetter('spec.nodeName'),
    // Old v1 clients' spelling of spec.nodeName (conversion.go keeps accepting it).
    'spec.host': pathGetter('spec.nodeName'),
    'spec.restartPolicy': pathGetter('spec.restartPolicy'),
    'spec.schedulerName': pathGetter('spec.schedulerName'),
    'spec.serviceAccountName': pathGetter('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(!!o.spec?.hostNetwork),
    'status.phase': pathGetter('status.phase'),
    'status.podIP': pathGetter('status.podIP'),
    'status.nominatedNodeName': pathGetter('status.nominatedNodeName'),
  },
  description: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
  fields: { spec: podSpecSchema, status: podStatusSchema },
  defaults: (o) => defaultPodSpec(o.spec),
  validate: (o) => onceValid(validSpecs, o.spec, () => validatePodSpec(o.spec, 'spec')),
  // Pods bound to a node terminate gracefully (the node agent finishes with gracePeriodSeconds=0);
  // unscheduled or finished pods go at once, as podStrategy.CheckGracefulDelete decides.
  deletion: {
    gracePeriodSeconds: (o, requested) => {
      if (!o.spec?.nodeName) return 0;
      const phase = o.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      return Math.max(0, requested ?? o.spec?.terminationGracePeriodSeconds ?? 30);
    },
  },
  strategy: {
    // Kubernetes 1.33+ tracks pod generation (PodObservedGenerationTracking); kubesim bumps it on spec changes.
    specFields: ['spec'],
    prepareForCreate: (o) => {
      admitPodDefaults(o);
      o.status = { phase: 'Pending', qosClass: podQOSClass(o.spec) };
    },
    prepareForUpdate: (o, old) => {
      keepOldStatus(o, old);
      admitPodUpdate(o, old);
    },
    validateUpdate: (o, old) =>
      o.spec === old.spec ? onceValid(unchangedValidSpecs, o.spec, () => validatePodSpecUpdate(o.spec, old.spec)) : validatePodSpecUpdate(o.spec, old.spec),
  },
  columns: [
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    col('IP', 'string', 'The IP address assigned to the pod', 1),
    col('Node', 'string', 'The name of the node where the pod is running', 1),
    col('Nominated Node', 'string', 'The name of the node where the pod is nominated to run', 1),
    col('Readiness Gates', 'string', 'The readiness gates of this pod', 1),
  ],
  cells: podCells,
});

const isRestartableInit = (c: any) => c?.restartPolicy === 'Always';

/** printers.go printPod: READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE, READINESS GATES. */
export function podCells(o: KubeObject, now: Date): unknown[] {
  const spec = o.spec ?? {};
  const st = o.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;
  let reason: string = st.reason || st.phase || '';
  for (const c of (st.conditions as any[]) ?? []) if (c?.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  const initByName = new Map<string, any>();
  for (const c of (spec.initContainers as any[]) ?? []) {
    initByName.set(c?.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }
  const finishedAt = (cs: any) => (cs?.lastState?.terminated?.finishedAt ? Date.parse(cs.lastState.terminated.finishedAt) : 0);
  let initializing = false;
  const initStatuses: any[] = st.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs?.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(cs));
    const restartable = isRestartableInit(initByName.get(cs?.name));
    if (restartable) {
      restartableInitRestarts += cs?.restartCount ?? 0;
      lastRestartableInitRestart = Math.max(lastRestartableInitRestart, finishedAt(cs));
    }
    const term = cs?.state?.terminated;
    const wait = cs?.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable && cs?.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
    } else if (wait?.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }
  const initializedTrue = ((st.conditions as any[]) ?? []).some((c) => c?.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses: any[] = st.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs?.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(cs));
      const wait = cs?.state?.waiting;
      const term = cs?.state?.terminated;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (cs?.ready && cs?.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = ((st.conditions as any[]) ?? []).some((c) => c?.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (o.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (o.metadata.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsStr = `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`;

  const ip = st.podIPs?.[0]?.ip || st.podIP || '<none>';
  let gates = '<none>';
  const rg: any[] = spec.readinessGates ?? [];
  if (rg.length) {
    let trueCount = 0;
    for (const g of rg) {
      const c = ((st.conditions as any[]) ?? []).find((x) => x?.type === g?.conditionType);
      if (c?.status === 'True') trueCount++;
    }
    gates = `${trueCount}/${rg.length}`;
  }
  return [`${readyContainers}/${totalContainers}`, reason, restartsStr, age(o, now), ip, spec.nodeName || '<none>', st.nominatedNodeName || '<none>', gates];
}

void invalidValue;
