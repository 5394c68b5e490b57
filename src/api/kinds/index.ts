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
import { hpa, hpaV1 } from './hpa.ts';
import { replicationController } from './replicationcontroller.ts';
import { customResourceDefinition } from './customresourcedefinition.ts';

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
  // apps/v1
  deployment,
  replicaSet,
  daemonSet,
  statefulSet,
  // batch/v1
  job,
  // autoscaling/v2 (preferred), and autoscaling/v1 served from the v2 storage (kubectl autoscale)
  hpa,
  hpaV1,
  // coordination.k8s.io/v1
  lease,
  // events.k8s.io/v1
  eventsV1Event,
  // apiextensions.k8s.io/v1
  customResourceDefinition,
];
