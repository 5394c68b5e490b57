// PodSpec / PodTemplateSpec: schema (with strategic-merge keys from core/v1 types.go), defaults
// (pkg/apis/core/v1/defaults.go), validation (pkg/apis/core/validation). Shared by Pod and
// every workload's spec.template.
import type { KubeObject } from '../types.ts';
import { duplicate, invalidValue, notFoundField, notSupported, required } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { objectMetaSchema } from '../meta.ts';
import { bool, enumStr, freeform, int, int64, intOrString, list, map, mergeList, obj, quantity, retainKeys, str } from '../schema.ts';
import type { Schema } from '../resource.ts';
import { canonicalQuantity, compareQuantities, validateQuantityMap } from '../quantity.ts';
import { jsonEqual } from '../core/json.ts';
import { TaintNodeNotReady, TaintNodeUnreachable } from '../core/taints.ts';
import {
  fromChecks,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
  validateLabels,
  validateNonnegative,
} from '../validation.ts';
import { localObjectReferenceSchema } from './common.ts';

// ---- schema ----

const keyToPath = obj('Maps a string key to a path within a volume.', { key: str('key to project.'), path: str('The relative path of the file to map the key to.'), mode: int('mode bits used to set permissions on this file.') });
const objectFieldSelector = obj('ObjectFieldSelector selects an APIVersioned field of an object.', { apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'), fieldPath: str('Path of the field to select in the specified API version.') });
const resourceFieldSelector = obj('ResourceFieldSelector represents container resources (cpu, memory) and their output format.', { containerName: str('Container name: required for volumes, optional for env vars.'), resource: str('Required: resource to select.'), divisor: quantity('Specifies the output format of the exposed resources, defaults to "1".') });
const keySelector = (what: string) => obj(`Selects a key of a ${what}.`, { name: str('Name of the referent.'), key: str('The key to select.'), optional: bool(`Specify whether the ${what} or its key must be defined.`) });

const envVar = obj('EnvVar represents an environment variable present in a Container.', {
  name: str('Name of the environment variable.'),
  value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.'),
  valueFrom: obj("Source for the environment variable's value. Cannot be used if value is not empty.", {
    fieldRef: objectFieldSelector,
    resourceFieldRef: resourceFieldSelector,
    configMapKeyRef: keySelector('ConfigMap'),
    secretKeyRef: keySelector('Secret'),
  }),
});

const envFromSource = obj('EnvFromSource represents the source of a set of ConfigMaps or Secrets.', {
  prefix: str('An optional identifier to prepend to each key in the ConfigMap or Secret.'),
  configMapRef: obj('The ConfigMap to select from.', { name: str('Name of the referent.'), optional: bool('Specify whether the ConfigMap must be defined.') }),
  secretRef: obj('The Secret to select from.', { name: str('Name of the referent.'), optional: bool('Specify whether the Secret must be defined.') }),
});

const containerPort = obj('ContainerPort represents a network port in a single container.', {
  name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
  hostPort: int('Number of port to expose on the host.'),
  containerPort: int("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."),
  protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
  hostIP: str('What host IP to bind the external port to.'),
});

const httpGet = obj('HTTPGet specifies an HTTP GET request to perform.', {
  path: str('Path to access on the HTTP server.'),
  port: intOrString('Name or number of the port to access on the container.'),
  host: str('Host name to connect to, defaults to the pod IP.'),
  scheme: str('Scheme to use for connecting to the host. Defaults to HTTP.'),
  httpHeaders: list('Custom headers to set in the request.', obj('HTTPHeader describes a custom header to be used in HTTP probes', { name: str('The header field name.'), value: str('The header field value') })),
});
const execAction = obj('Exec specifies a command to execute in the container.', { command: list('Command is the command line to execute inside the container.', str()) });
const tcpSocket = obj('TCPSocket specifies a connection to a TCP port.', { port: intOrString('Number or name of the port to access on the container.'), host: str('Optional: Host name to connect to, defaults to the pod IP.') });

const probe = (what: string) =>
  obj(`${what} Probe describes a health check to be performed against a container.`, {
    exec: execAction,
    httpGet,
    tcpSocket,
    grpc: obj('GRPC specifies a GRPC HealthCheckRequest.', { port: int('Port number of the gRPC service.'), service: str('Service is the name of the service to place in the gRPC HealthCheckRequest.') }),
    initialDelaySeconds: int('Number of seconds after the container has started before liveness probes are initiated.'),
    timeoutSeconds: int('Number of seconds after which the probe times out. Defaults to 1 second.'),
    periodSeconds: int('How often (in seconds) to perform the probe. Default to 10 seconds.'),
    successThreshold: int('Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1.'),
    failureThreshold: int('Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3.'),
    terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'),
  });

const lifecycleHandler = obj('LifecycleHandler defines a specific action that should be taken in a lifecycle hook.', {
  exec: execAction,
  httpGet,
  tcpSocket,
  sleep: obj('Sleep represents the duration that the container should sleep before being terminated.', { seconds: int64('Seconds is the number of seconds to sleep.') }),
});

const resourceRequirements = obj('Compute Resources required by this container.', {
  limits: map('Limits describes the maximum amount of compute resources allowed.', quantity()),
  requests: map('Requests describes the minimum amount of compute resources required.', quantity()),
  claims: list('Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.', obj('ResourceClaim references one entry in PodSpec.ResourceClaims.', { name: str('Name must match the name of one entry in pod.spec.resourceClaims.'), request: str('Request is the name chosen for a request in the referenced claim.') }), { listType: 'map', mapKeys: ['name'] }),
});

const securityContext = freeform('SecurityContext defines the security options the container should be run with.');

const volumeMount = obj('VolumeMount describes a mounting of a Volume within a container.', {
  name: str('This must match the Name of a Volume.'),
  readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified).'),
  recursiveReadOnly: str('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'),
  mountPath: str("Path within the container at which the volume should be mounted. Must not contain ':'."),
  subPath: str("Path within the volume from which the container's volume should be mounted."),
  mountPropagation: str('mountPropagation determines how mounts are propagated from the host to container and the other way around.'),
  subPathExpr: str("Expanded path within the volume from which the container's volume should be mounted."),
});

export const containerSchema = (description: string): Schema =>
  obj(description, {
    name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.'),
    image: str('Container image name.'),
    command: list("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided.", str(), { listType: 'atomic' }),
    args: list("Arguments to the entrypoint. The container image's CMD is used if this is not provided.", str(), { listType: 'atomic' }),
    workingDir: str("Container's working directory."),
    ports: mergeList('List of ports to expose from the container.', containerPort, 'containerPort', ['containerPort', 'protocol']),
    envFrom: list('List of sources to populate environment variables in the container.', envFromSource, { listType: 'atomic' }),
    env: mergeList('List of environment variables to set in the container. Cannot be updated.', envVar, 'name'),
    resources: resourceRequirements,
    resizePolicy: list('Resources resize policy for the container.', obj('ContainerResizePolicy represents resource resize policy for the container.', { resourceName: str('Name of the resource to which this resource resize policy applies.'), restartPolicy: str('Restart policy to apply when specified resource is resized.') }), { listType: 'atomic' }),
    restartPolicy: str('RestartPolicy defines the restart behavior of individual containers in a pod. Only "Always" for init containers (sidecars).'),
    volumeMounts: mergeList("Pod volumes to mount into the container's filesystem. Cannot be updated.", volumeMount, 'mountPath'),
    volumeDevices: mergeList('volumeDevices is the list of block devices to be used by the container.', obj('volumeDevice describes a mapping of a raw block device within a container.', { name: str('name must match the name of a persistentVolumeClaim in the pod'), devicePath: str('devicePath is the path inside of the container that the device will be mapped to.') }), 'devicePath'),
    livenessProbe: probe('Periodic probe of container liveness. Container will be restarted if the probe fails.'),
    readinessProbe: probe('Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails.'),
    startupProbe: probe('StartupProbe indicates that the Pod has successfully initialized.'),
    lifecycle: obj('Actions that the management system should take in response to container lifecycle events.', { postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str('StopSignal defines which signal will be sent to a container when it is being stopped.') }),
    terminationMessagePath: str("Optional: Path at which the file to which the container's termination message will be written is mounted. Defaults to /dev/termination-log."),
    terminationMessagePolicy: str('Indicate how the termination message should be populated: File or FallbackToLogsOnError.'),
    imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.'),
    securityContext,
    stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
    stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
    tty: bool("Whether this container should allocate a TTY for itself, also requires 'stdin' to be true."),
    targetContainerName: str('Ephemeral containers only: the name of the container from PodSpec that this ephemeral container targets.'),
  });

const src = (d: string) => freeform(d);
const volumeSchema = (
  obj('Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
    name: str("name of the volume. Must be a DNS_LABEL and unique within the pod."),
    emptyDir: obj('emptyDir represents a temporary directory that shares a pod\'s lifetime.', { medium: str('medium represents what type of storage medium should back this directory.'), sizeLimit: quantity('sizeLimit is the total amount of local storage required for this EmptyDir volume.') }),
    hostPath: obj('hostPath represents a pre-existing file or directory on the host machine.', { path: str('path of the directory on the host.'), type: str('type for HostPath Volume. Defaults to ""') }),
    configMap: obj('configMap represents a configMap that should populate this volume', { name: str('Name of the referent.'), items: list('items to project.', keyToPath, { listType: 'atomic' }), defaultMode: int('defaultMode is optional: mode bits used to set permissions on created files by default.'), optional: bool('optional specify whether the ConfigMap or its keys must be defined') }),
    secret: obj('secret represents a secret that should populate this volume.', { secretName: str("secretName is the name of the secret in the pod's namespace to use."), items: list('items to project.', keyToPath, { listType: 'atomic' }), defaultMode: int('defaultMode is Optional: mode bits used to set permissions on created files by default.'), optional: bool("optional field specify whether the Secret or its keys must be defined") }),
    persistentVolumeClaim: obj('persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.', { claimName: str('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.'), readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts.') }),
    projected: src('projected items for all in one resources secrets, configmaps, and downward API'),
    downwardAPI: src('downwardAPI represents downward API about the pod that should populate this volume'),
    nfs: src('nfs represents an NFS mount on the host that shares a pod\'s lifetime'),
    csi: src('csi represents ephemeral storage that is handled by certain external CSI drivers.'),
    ephemeral: src('ephemeral represents a volume that is handled by a cluster storage driver.'),
    image: src('image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.'),
    ...Object.fromEntries(
      ['awsElasticBlockStore', 'gcePersistentDisk', 'gitRepo', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'].map(
        (k) => [k, src(`${k} volume source (deprecated or in-tree; accepted as given).`)],
      ),
    ),
  })
);

const toleration = obj('The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.', {
  key: str('Key is the taint key that the toleration applies to. Empty means match all taint keys.'),
  operator: str("Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal."),
  value: str('Value is the taint value the toleration matches to.'),
  effect: str('Effect indicates the taint effect to match. Empty means match all taint effects.'),
  tolerationSeconds: int64('TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute) tolerates the taint.'),
});

export const podSpecSchema: Schema = obj('Specification of the desired behavior of the pod.', {
  // types.go: patchStrategy:"merge,retainKeys" patchMergeKey:"name" on the list.
  volumes: retainKeys(mergeList('List of volumes that can be mounted by containers belonging to the pod.', volumeSchema, 'name'), 'merge,retainKeys'),
  initContainers: mergeList('List of initialization containers belonging to the pod.', containerSchema('A single application container that you want to run within a pod.'), 'name'),
  containers: mergeList('List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.', containerSchema('A single application container that you want to run within a pod.'), 'name'),
  ephemeralContainers: mergeList('List of ephemeral containers run in this pod.', containerSchema('An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.'), 'name'),
  restartPolicy: str('Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.'),
  terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.'),
  activeDeadlineSeconds: int64('Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.'),
  dnsPolicy: str("Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'."),
  nodeSelector: map("NodeSelector is a selector which must be true for the pod to fit on a node."),
  serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
  serviceAccount: str('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.'),
  automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.'),
  nodeName: str('NodeName indicates in which node this pod is scheduled.'),
  hostNetwork: bool("Host networking requested for this pod."),
  hostPID: bool("Use the host's pid namespace."),
  hostIPC: bool("Use the host's ipc namespace."),
  shareProcessNamespace: bool('Share a single process namespace between all of the containers in a pod.'),
  securityContext: freeform('SecurityContext holds pod-level security attributes and common container settings.'),
  imagePullSecrets: mergeList('ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.', localObjectReferenceSchema, 'name'),
  hostname: str("Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a system-defined value."),
  subdomain: str('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".'),
  affinity: freeform("If specified, the pod's scheduling constraints (nodeAffinity, podAffinity, podAntiAffinity)."),
  schedulerName: str('If specified, the pod will be dispatched by specified scheduler.'),
  tolerations: list("If specified, the pod's tolerations.", toleration, { listType: 'atomic' }),
  hostAliases: mergeList("HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file if specified.", obj('HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod\'s hosts file.', { ip: str('IP address of the host file entry.'), hostnames: list('Hostnames for the above IP address.', str()) }), 'ip'),
  priorityClassName: str('If specified, indicates the pod\'s priority.'),
  priority: int('The priority value. Various system components use this field to find the priority of the pod.'),
  dnsConfig: freeform('Specifies the DNS parameters of a pod.'),
  readinessGates: list('If specified, all readiness gates will be evaluated for pod readiness.', obj('PodReadinessGate contains the reference to a pod condition', { conditionType: str("ConditionType refers to a condition in the pod's condition list with matching type.") })),
  runtimeClassName: str('RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group.'),
  enableServiceLinks: bool("EnableServiceLinks indicates whether information about services should be injected into pod's environment variables. Defaults to true."),
  preemptionPolicy: str('PreemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority.'),
  overhead: map('Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.', quantity()),
  topologySpreadConstraints: mergeList('TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.', freeform('TopologySpreadConstraint specifies how to spread matching pods among the given topology.'), 'topologyKey', ['topologyKey', 'whenUnsatisfiable']),
  setHostnameAsFQDN: bool("If true the pod's hostname will be configured as the pod's FQDN."),
  os: obj('Specifies the OS of the containers in the pod.', { name: str('Name is the name of the operating system: linux or windows.') }),
  hostUsers: bool('Use the host\'s user namespace.'),
  schedulingGates: mergeList('SchedulingGates is an opaque list of values that if specified will block scheduling the pod.', obj('PodSchedulingGate is associated to a Pod to guard its scheduling.', { name: str('Name of the scheduling gate.') }), 'name'),
  resourceClaims: retainKeys(mergeList('ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.', freeform('PodResourceClaim references exactly one ResourceClaim.'), 'name'), 'merge,retainKeys'),
  resources: resourceRequirements,
});

export const podTemplateSpecSchema: Schema = obj('PodTemplateSpec describes the data a pod should have when created from a template.', {
  metadata: objectMetaSchema,
  spec: podSpecSchema,
});

// ---- defaults ----

/** Always for ":latest" or no tag, IfNotPresent otherwise (digests count as tagged). */
export function defaultImagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: any): void {
  if (!p || typeof p !== 'object') return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(c: any, hostNetwork: boolean): void {
  if (!c || typeof c !== 'object') return;
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  c.resources ??= {};
  // Requests default to limits for each resource that has a limit but no request.
  const lim = c.resources.limits;
  if (lim && typeof lim === 'object') {
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(lim)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  for (const p of c.ports ?? []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ??= 'TCP';
    if (hostNetwork && p.hostPort === undefined) p.hostPort = p.containerPort;
  }
  for (const e of c.env ?? []) if (e?.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** SetDefaults_PodSpec and its containers/volumes. */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  const hostNetwork = !!spec.hostNetwork;
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.ephemeralContainers ?? []) {
    if (!c || typeof c !== 'object') continue;
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  }
  for (const v of spec.volumes ?? []) {
    if (!v || typeof v !== 'object') continue;
    // A volume without a source is an emptyDir (SetDefaults_Volume).
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length === 0) v.emptyDir = {};
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.configMap) v.configMap.defaultMode ??= 420;
    if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
    if (v.projected) v.projected.defaultMode ??= 420;
    if (v.hostPath) v.hostPath.type ??= '';
  }
}

export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

/** What admission adds to a new pod: service account, priority, default NoExecute tolerations. */
export function admitPodDefaults(pod: KubeObject): void {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object') return;
  // ServiceAccount admission
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  // Priority admission: the two system classes have fixed values; PriorityClass objects are not
  // served, so any other class resolves to 0.
  spec.priority ??= SYSTEM_PRIORITY_CLASSES[spec.priorityClassName as string] ?? 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  // DefaultTolerationSeconds admission
  addDefaultTolerations(spec);
}

/**
 * What admission does to a pod update: Priority keeps the priority and preemptionPolicy it set on
 * create when the update leaves them out; DefaultTolerationSeconds adds its tolerations again. So a
 * replace with the user's own manifest is not a forbidden spec change.
 */
export function admitPodUpdate(pod: KubeObject, old: KubeObject): void {
  const spec = pod.spec;
  const before = old.spec;
  if (!spec || typeof spec !== 'object' || !before || typeof before !== 'object') return;
  // serviceAccount is the deprecated spelling of serviceAccountName: conversion fills one from the other
  if (spec.serviceAccountName && spec.serviceAccount === undefined) spec.serviceAccount = spec.serviceAccountName;
  if (spec.priority === undefined && before.priority !== undefined) spec.priority = before.priority;
  if (spec.preemptionPolicy === undefined && before.preemptionPolicy !== undefined) spec.preemptionPolicy = before.preemptionPolicy;
  addDefaultTolerations(spec);
}

export function addDefaultTolerations(spec: any): void {
  const tols: any[] = (spec.tolerations ??= []);
  for (const key of [TaintNodeNotReady, TaintNodeUnreachable]) {
    const has = tols.some((t) => t && (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!has) tols.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
}

// ---- validation ----

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];


function validateResources(r: any, f: string): FieldError[] {
  if (!r || typeof r !== 'object') return [];
  const errs = [...validateQuantityMap(r.limits, `${f}.limits`), ...validateQuantityMap(r.requests, `${f}.requests`)];
  if (errs.length) return errs;
  for (const [k, req] of Object.entries((r.requests as Record<string, string>) ?? {})) {
    const lim = r.limits?.[k];
    if (lim !== undefined && compareQuantities(req, lim) > 0) {
      errs.push(invalidValue(`${f}.requests`, canonicalQuantity(req), `must be less than or equal to ${k} limit of ${canonicalQuantity(lim)}`));
    }
  }
  return errs;
}

function validateProbe(p: any, f: string): FieldError[] {
  if (!p || typeof p !== 'object') return [];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => p[h]);
  if (handlers.length === 0) errs.push({ field: f, type: 'FieldValueRequired', detail: 'Required value: must specify a handler type' });
  else if (handlers.length > 1) errs.push({ field: `${f}.${handlers[1]}`, type: 'FieldValueForbidden', detail: 'Forbidden: may not specify more than 1 handler type' });
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...validateNonnegative(`${f}.${k}`, p[k]));
  return errs;
}

function validateContainer(c: any, f: string, volumes: Set<string>, init: boolean, requireImage: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c || typeof c !== 'object') return [invalidValue(f, c, 'must be an object')];
  if (!c.name) errs.push(required(`${f}.name`));
  else errs.push(...fromChecks(`${f}.name`, c.name, isDNS1123Label(c.name)));
  if (requireImage && (!c.image || String(c.image).trim() === '')) errs.push(required(`${f}.image`));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(`${f}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy !== undefined && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy))
    errs.push(notSupported(`${f}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
  if (c.restartPolicy !== undefined) {
    if (!init) errs.push({ field: `${f}.restartPolicy`, type: 'FieldValueForbidden', detail: 'Forbidden: may not be set for non-init containers' });
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(`${f}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  const portNames = new Set<string>();
  ((c.ports as any[]) ?? []).forEach((p, i) => {
    const pf = `${f}.ports[${i}]`;
    if (p?.containerPort === undefined) errs.push(required(`${pf}.containerPort`));
    else errs.push(...fromChecks(`${pf}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p?.hostPort !== undefined && p.hostPort !== 0) errs.push(...fromChecks(`${pf}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    if (p?.name) {
      errs.push(...fromChecks(`${pf}.name`, p.name, isValidPortName(p.name)));
      if (portNames.has(p.name)) errs.push(duplicate(`${pf}.name`, p.name));
      portNames.add(p.name);
    }
    if (p?.protocol === undefined) errs.push(required(`${pf}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
  });
  ((c.env as any[]) ?? []).forEach((e, i) => {
    const ef = `${f}.env[${i}]`;
    if (!e?.name) errs.push(required(`${ef}.name`));
    else errs.push(...fromChecks(`${ef}.name`, e.name, isEnvVarName(e.name)));
    if (e?.value !== undefined && e.value !== '' && e?.valueFrom) {
      errs.push({ field: `${ef}.valueFrom`, type: 'FieldValueInvalid', detail: "Invalid value: \"\": may not be specified when `value` is not empty" });
    }
    if (e?.valueFrom) {
      const n = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => e.valueFrom[k]).length;
      if (n === 0) errs.push({ field: `${ef}.valueFrom`, type: 'FieldValueInvalid', detail: 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`' });
      else if (n > 1) errs.push({ field: `${ef}.valueFrom`, type: 'FieldValueInvalid', detail: 'Invalid value: "": may not have more than one field specified at a time' });
    }
  });
  errs.push(...validateResources(c.resources, `${f}.resources`));
  const mountPaths = new Set<string>();
  ((c.volumeMounts as any[]) ?? []).forEach((m, i) => {
    const mf = `${f}.volumeMounts[${i}]`;
    if (!m?.name) errs.push(required(`${mf}.name`));
    else if (!volumes.has(m.name)) errs.push(notFoundField(`${mf}.name`, m.name));
    if (!m?.mountPath) errs.push(required(`${mf}.mountPath`));
    else {
      if (mountPaths.has(m.mountPath)) errs.push({ field: `${mf}.mountPath`, type: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(m.mountPath)}: must be unique` });
      mountPaths.add(m.mountPath);
    }
  });
  errs.push(...validateProbe(c.livenessProbe, `${f}.livenessProbe`));
  errs.push(...validateProbe(c.readinessProbe, `${f}.readinessProbe`));
  errs.push(...validateProbe(c.startupProbe, `${f}.startupProbe`));
  if (!init) {
    if (c.livenessProbe?.successThreshold !== undefined && c.livenessProbe.successThreshold !== 1)
      errs.push(invalidValue(`${f}.livenessProbe.successThreshold`, c.livenessProbe.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateTolerations(tols: unknown, f: string): FieldError[] {
  if (tols === undefined || tols === null) return [];
  if (!Array.isArray(tols)) return [invalidValue(f, tols, 'must be a list')];
  const errs: FieldError[] = [];
  tols.forEach((t: any, i) => {
    const tf = `${f}[${i}]`;
    const op = t?.operator ?? 'Equal';
    if (t?.key) errs.push(...fromChecks(`${tf}.key`, t.key, isQualifiedName(t.key)));
    if (!t?.key && op !== 'Exists') errs.push(invalidValue(`${tf}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t?.tolerationSeconds !== undefined && t?.effect !== 'NoExecute')
      errs.push(invalidValue(`${tf}.effect`, t?.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    if (op === 'Exists' && t?.value) errs.push(invalidValue(`${tf}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
    else if (op !== 'Exists' && op !== 'Equal') errs.push(notSupported(`${tf}.operator`, op, ['Equal', 'Exists']));
    if (t?.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) errs.push(notSupported(`${tf}.effect`, t.effect, ['NoExecute', 'NoSchedule', 'PreferNoSchedule']));
  });
  return errs;
}


/** ValidatePodSpec at path `f` (e.g. "spec" or "spec.template.spec"). */
export function validatePodSpec(spec: any, f: string, opts: { restartPolicies?: string[]; extraVolumes?: string[] } = {}): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required(f)];
  const errs: FieldError[] = [];
  // extraVolumes: names mountable without a pod volume (a StatefulSet's volumeClaimTemplates).
  const volumes = new Set<string>(opts.extraVolumes ?? []);
  ((spec.volumes as any[]) ?? []).forEach((v, i) => {
    const vf = `${f}.volumes[${i}]`;
    if (!v?.name) errs.push(required(`${vf}.name`));
    else {
      errs.push(...fromChecks(`${vf}.name`, v.name, isDNS1123Label(v.name)));
      if (volumes.has(v.name)) errs.push(duplicate(`${vf}.name`, v.name));
      volumes.add(v.name);
    }
    const sources = Object.keys(v ?? {}).filter((k) => k !== 'name');
    if (sources.length === 0) errs.push({ field: vf, type: 'FieldValueRequired', detail: 'Required value: must specify a volume type' });
    else if (sources.length > 1) errs.push({ field: `${vf}.${sources[1]}`, type: 'FieldValueForbidden', detail: 'Forbidden: may not specify more than 1 volume type' });
  });
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) errs.push(required(`${f}.containers`));
  const names = new Set<string>();
  const check = (list: unknown, key: string, init: boolean) => {
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) {
      errs.push(invalidValue(`${f}.${key}`, list, 'must be a list'));
      return;
    }
    list.forEach((c, i) => {
      const cf = `${f}.${key}[${i}]`;
      errs.push(...validateContainer(c, cf, volumes, init, true));
      if (c?.name) {
        if (names.has(c.name)) errs.push(duplicate(`${cf}.name`, c.name));
        names.add(c.name);
      }
    });
  };
  // Same order as ValidatePodSpec: containers, then init containers (a clash is reported on the init one).
  check(containers, 'containers', false);
  check(spec.initContainers, 'initContainers', true);
  const restartPolicies = opts.restartPolicies ?? RESTART_POLICIES;
  if (spec.restartPolicy === undefined || spec.restartPolicy === '') errs.push(required(`${f}.restartPolicy`));
  else if (!restartPolicies.includes(spec.restartPolicy)) errs.push(notSupported(`${f}.restartPolicy`, spec.restartPolicy, restartPolicies));
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(`${f}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  errs.push(...validateNonnegative(`${f}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && !(Number.isInteger(ads) && ads >= 1 && ads <= 2147483647))
    errs.push(invalidValue(`${f}.activeDeadlineSeconds`, ads, 'must be between 1 and 2147483647, inclusive'));
  errs.push(...validateLabels(spec.nodeSelector, `${f}.nodeSelector`));
  if (spec.serviceAccountName) errs.push(...fromChecks(`${f}.serviceAccountName`, spec.serviceAccountName, isDNS1123Subdomain(spec.serviceAccountName)));
  if (spec.nodeName) errs.push(...fromChecks(`${f}.nodeName`, spec.nodeName, isDNS1123Subdomain(spec.nodeName)));
  if (spec.hostname) errs.push(...fromChecks(`${f}.hostname`, spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.subdomain) errs.push(...fromChecks(`${f}.subdomain`, spec.subdomain, isDNS1123Label(spec.subdomain)));
  if (spec.preemptionPolicy !== undefined && !['Never', 'PreemptLowerPriority'].includes(spec.preemptionPolicy))
    errs.push(notSupported(`${f}.preemptionPolicy`, spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  errs.push(...validateTolerations(spec.tolerations, `${f}.tolerations`));
  errs.push(...validateQuantityMap(spec.overhead, `${f}.overhead`));
  return errs;
}

// ---- pod update rule ----

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate's spec rule: only images, activeDeadlineSeconds, added tolerations, gates removal. */
export function validatePodSpecUpdate(spec: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec || !old) return errs;
  // A shallow copy with the mutable fields taken from the old spec must equal the old spec.
  const mutated: any = { ...spec };
  // images: copy the old images into the copy, then compare everything else
  for (const key of ['containers', 'initContainers']) {
    const b: any[] = old[key] ?? [];
    if (Array.isArray(mutated[key]) && mutated[key].length === b.length) {
      mutated[key] = mutated[key].map((c: any, i: number) => (c && typeof c === 'object' && b[i] ? { ...c, image: b[i].image } : c));
    }
    (spec[key] ?? []).forEach((c: any, i: number) => {
      if (c && (!c.image || String(c.image).trim() === '')) errs.push(required(`spec.${key}[${i}].image`));
    });
  }
  // activeDeadlineSeconds: may be set when absent, or lowered; never removed or raised.
  const na = spec.activeDeadlineSeconds;
  const oa = old.activeDeadlineSeconds;
  if (na !== undefined && na !== null && (oa === undefined || oa === null || na <= oa)) {
    if (oa === undefined || oa === null) delete mutated.activeDeadlineSeconds;
    else mutated.activeDeadlineSeconds = oa;
  }
  if ((oa !== undefined && oa !== null) && (na === undefined || na === null)) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    mutated.activeDeadlineSeconds = oa;
  }
  // tolerations: only additions (every old toleration still present).
  const oldTols: any[] = old.tolerations ?? [];
  const newTols: any[] = spec.tolerations ?? [];
  const keep = oldTols.every((t) => newTols.some((n) => jsonEqual(n, t) || (sameTolerationKey(n, t) && t.tolerationSeconds !== undefined && n.tolerationSeconds !== undefined && n.tolerationSeconds <= t.tolerationSeconds)));
  if (keep) {
    if (old.tolerations === undefined) delete mutated.tolerations;
    else mutated.tolerations = old.tolerations;
  }
  // terminationGracePeriodSeconds: negative → 1 only.
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1) mutated.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  // schedulingGates may only be removed.
  const oldGates = new Set(((old.schedulingGates as any[]) ?? []).map((g) => g?.name));
  if (((spec.schedulingGates as any[]) ?? []).every((g) => oldGates.has(g?.name))) {
    if (old.schedulingGates === undefined) delete mutated.schedulingGates;
    else mutated.schedulingGates = old.schedulingGates;
  }
  // nodeSelector / affinity may be added while gated (ignored here); nodeName only via binding.
  if (!jsonEqual(mutated, old)) errs.push({ field: 'spec', type: 'FieldValueForbidden', detail: `Forbidden: ${POD_UPDATE_FORBIDDEN}` });
  return errs;
}

function sameTolerationKey(a: any, b: any): boolean {
  return a?.key === b?.key && (a?.operator ?? 'Equal') === (b?.operator ?? 'Equal') && a?.value === b?.value && a?.effect === b?.effect;
}

void enumStr;
