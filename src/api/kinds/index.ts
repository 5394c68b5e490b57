// Every built-in kind, one module per kind. Adding a kind = one entry here.
import type { ResourceType } from '../resource.ts';
import { namespace } from './namespace.ts';
import { node } from './node.ts';
import { pod } from './pod.ts';
import { service } from './service.ts';
import { configMap, endpoints, lease, secret, serviceAccount } from './simple.ts';
import { coreEvent, eventsV1Event } from './event.ts';
import { daemonSet, deployment, replicaSet, statefulSet } from './apps.ts';
import { job } from './job.ts';
import { cronJob } from './cronjob.ts';
import { hpa, hpaV1 } from './hpa.ts';
import { replicationController } from './replicationcontroller.ts';
import { podDisruptionBudget } from './pdb.ts';
import { priorityClass } from './priorityclass.ts';
import { controllerRevision, podTemplate, runtimeClass } from './stored.ts';
import { ingress, ingressClass, networkPolicy } from './networking.ts';
import { certificateSigningRequest } from './csr.ts';
import { resourceQuota } from './resourcequota.ts';
import { limitRange } from './limitrange.ts';
import { endpointSlice } from './endpointslice.ts';
import { persistentVolume, persistentVolumeClaim } from './persistentvolume.ts';
import { csiDriver, csiNode, storageClass, volumeAttachment } from './storage.ts';
import { mutatingWebhookConfiguration, validatingWebhookConfiguration } from './admissionregistration/webhooks.ts';
import { validatingAdmissionPolicy, validatingAdmissionPolicyBinding } from './admissionregistration/policies.ts';
import { nodeMetrics, podMetrics } from './metrics.ts';
import { externalMetricValueList, metricValueList } from './custommetrics.ts';
import { apiService } from './apiservice.ts';
import { customResourceDefinition } from './customresourcedefinition.ts';
import { flowSchema, priorityLevelConfiguration } from './flowcontrol.ts';
import { clusterRole, clusterRoleBinding, role, roleBinding } from './rbac.ts';

export const kinds: ResourceType[] = [
  // core/v1
  namespace,
  node,
  pod,
  service,
  endpoints,
  configMap,
  secret,
  serviceAccount,
  coreEvent,
  replicationController,
  resourceQuota,
  limitRange,
  persistentVolume,
  persistentVolumeClaim,
  // apps/v1
  deployment,
  replicaSet,
  daemonSet,
  statefulSet,
  // batch/v1
  job,
  cronJob,
  // autoscaling/v2 (preferred), and autoscaling/v1 served from the v2 storage (kubectl autoscale)
  hpa,
  hpaV1,
  // coordination.k8s.io/v1
  lease,
  // events.k8s.io/v1
  eventsV1Event,
  // issue 11: policy, scheduling, networking, node, certificates; PodTemplate, ControllerRevision
  podTemplate,
  controllerRevision,
  podDisruptionBudget,
  priorityClass,
  ingress,
  ingressClass,
  networkPolicy,
  runtimeClass,
  certificateSigningRequest,
  // discovery.k8s.io/v1
  endpointSlice,
  // storage.k8s.io/v1
  storageClass,
  csiDriver,
  csiNode,
  volumeAttachment,
  // admissionregistration.k8s.io/v1
  mutatingWebhookConfiguration,
  validatingWebhookConfiguration,
  validatingAdmissionPolicy,
  validatingAdmissionPolicyBinding,
  // apiregistration.k8s.io/v1; metrics.k8s.io/v1beta1 (read only, from the kubelets' usage)
  apiService,
  nodeMetrics,
  podMetrics,
  metricValueList,
  externalMetricValueList,
  // apiextensions.k8s.io/v1
  customResourceDefinition,
  // flowcontrol.apiserver.k8s.io/v1 (API Priority and Fairness)
  flowSchema,
  priorityLevelConfiguration,
  // rbac.authorization.k8s.io/v1
  clusterRole,
  clusterRoleBinding,
  role,
  roleBinding,
];
