// apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet.
import { jsonEqual } from '../core/json.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported } from '../errors.ts';
import { age, ageColumn, col, defineKind, pathGetter, resetStatus } from '../meta.ts';
import { bool, freeform, int, int64, intOrString, list, obj, retainKeys, str } from '../schema.ts';
import { formatLabels } from '../labels.ts';
import { conditionsSchema, labelSelectorSchema } from './common.ts';
import { podTemplateSpecSchema } from './podspec.ts';
import {
  containersCells,
  containersColumns,
  defaultTemplate,
  isZeroIntOrPercent,
  selectorCell,
  selectorColumn,
  selectorImmutable,
  validateIntOrPercent,
  validateReplicas,
  validateSelectorAndTemplate,
  validateStatusCounts,
} from './workload.ts';

const APPS = { group: 'apps', version: 'v1' } as const;
const WORKLOAD_STRATEGY = { specFields: ['spec'], prepareForCreate: resetStatus(), validateUpdate: selectorImmutable };
const DEPLOYMENT_COUNTS = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas', 'collisionCount'] as const;
const REPLICASET_COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'terminatingReplicas', 'observedGeneration'] as const;

/** A new object's status as Kubernetes serialises it: the counts without omitempty are there as 0. */
const withZeroStatus = (zeros: Record<string, number>) => ({ ...WORKLOAD_STRATEGY, prepareForCreate: resetStatus(() => ({ ...zeros })) });
const rollingUpdateSchema = (what: string) =>
  obj(`Rolling update config params. Present only if type = "RollingUpdate".`, {
    maxUnavailable: intOrString(`The maximum number of ${what} that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage (ex: 10%).`),
    maxSurge: intOrString(`The maximum number of ${what} that can be scheduled above the desired number of ${what}.`),
    partition: int('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates.'),
  });

const n = (v: unknown) => (typeof v === 'number' ? v : 0);

// ---- Deployment ----

export const deployment = defineKind({
  ...APPS,
  kind: 'Deployment',
  plural: 'deployments',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' } },
  description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
  fields: {
    spec: obj('Specification of the desired behavior of the Deployment.', {
      replicas: int('Number of desired pods. Defaults to 1.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      strategy: retainKeys(
        obj('The deployment strategy to use to replace existing pods with new ones.', {
          type: str('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
          rollingUpdate: obj('Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.', {
            maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update. Defaults to 25%.'),
            maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods. Defaults to 25%.'),
          }),
        }),
      ),
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
      revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
      paused: bool('Indicates that the deployment is paused.'),
      progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
    }),
    status: obj('Most recently observed status of the Deployment.', {
      observedGeneration: int64('The generation observed by the deployment controller.'),
      replicas: int('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
      updatedReplicas: int('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      readyReplicas: int('Total number of non-terminated pods targeted by this Deployment with a Ready Condition.'),
      availableReplicas: int('Total number of available non-terminated pods (ready for at least minReadySeconds) targeted by this deployment.'),
      unavailableReplicas: int('Total number of unavailable pods targeted by this deployment.'),
      terminatingReplicas: int('Total number of terminating pods targeted by this deployment.'),
      conditions: conditionsSchema("Represents the latest available observations of a deployment's current state."),
      collisionCount: int('Count of hash collisions for the Deployment.'),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.replicas ??= 1;
    s.strategy ??= {};
    s.strategy.type ??= 'RollingUpdate';
    if (s.strategy.type === 'RollingUpdate') {
      s.strategy.rollingUpdate ??= {};
      s.strategy.rollingUpdate.maxUnavailable ??= '25%';
      s.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    defaultTemplate(s);
  },
  validate: (o) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [...validateReplicas(s), ...validateSelectorAndTemplate(s, 'deployment'), ...validateStatusCounts(o.status, DEPLOYMENT_COUNTS)];
    const st = s.strategy ?? {};
    if (st.type && !['Recreate', 'RollingUpdate'].includes(st.type)) errs.push(notSupported('spec.strategy.type', st.type, ['Recreate', 'RollingUpdate']));
    if (st.type === 'Recreate' && st.rollingUpdate) errs.push({ field: 'spec.strategy.rollingUpdate', type: 'FieldValueForbidden', detail: "Forbidden: may not be specified when strategy `type` is 'Recreate'" });
    const ru = st.rollingUpdate;
    if (ru) {
      errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
      errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
      if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge))
        errs.push(invalidValue('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    if (s.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds !== null) {
      if (s.progressDeadlineSeconds <= 0) errs.push(invalidValue('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than 0'));
      else if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) errs.push(invalidValue('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
    return errs;
  },
  strategy: WORKLOAD_STRATEGY,
  columns: [
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    ...containersColumns,
    selectorColumn,
  ],
  cells: (o, now) => [`${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`, n(o.status?.updatedReplicas), n(o.status?.availableReplicas), age(o, now), ...containersCells(o), selectorCell(o)],
});

// ---- ReplicaSet ----

export const replicaSet = defineKind({
  ...APPS,
  kind: 'ReplicaSet',
  plural: 'replicasets',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' } },
  fieldSelectors: { 'status.replicas': (o) => String(n(o.status?.replicas)) },
  description: 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.',
  fields: {
    spec: obj('Spec defines the specification of the desired behavior of the ReplicaSet.', {
      replicas: int('Replicas is the number of desired pods. Defaults to 1.'),
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
    }),
    status: obj('Status is the most recently observed status of the ReplicaSet.', {
      replicas: int('Replicas is the most recently observed number of non-terminating pods.'),
      fullyLabeledReplicas: int('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
      readyReplicas: int('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
      availableReplicas: int('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
      terminatingReplicas: int('The number of terminating pods for this replica set.'),
      observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
      conditions: conditionsSchema("Represents the latest available observations of a replica set's current state."),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.replicas ??= 1;
    defaultTemplate(s);
  },
  validate: (o) => [...validateReplicas(o.spec), ...validateSelectorAndTemplate(o.spec ?? {}, 'replicaset'), ...validateStatusCounts(o.status, REPLICASET_COUNTS)],
  strategy: withZeroStatus({ replicas: 0 }),
  columns: [
    col('Desired', 'integer', 'Number of desired pods.'),
    col('Current', 'integer', 'Number of actual replicas (non-terminated pods).'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn,
    ...containersColumns,
    selectorColumn,
  ],
  cells: (o, now) => [n(o.spec?.replicas), n(o.status?.replicas), n(o.status?.readyReplicas), age(o, now), ...containersCells(o), selectorCell(o)],
});

// ---- DaemonSet ----

export const daemonSet = defineKind({
  ...APPS,
  kind: 'DaemonSet',
  plural: 'daemonsets',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  description: 'DaemonSet represents the configuration of a daemon set.',
  fields: {
    spec: obj('The desired behavior of this daemon set.', {
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      updateStrategy: obj('An update strategy to replace existing DaemonSet pods with new pods.', {
        type: str('Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.'),
        rollingUpdate: rollingUpdateSchema('DaemonSet pods'),
      }),
      minReadySeconds: int('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available.'),
      revisionHistoryLimit: int('The number of old history to retain to allow rollback. Defaults to 10.'),
    }),
    status: obj('The current status of this daemon set.', {
      currentNumberScheduled: int('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
      numberMisscheduled: int('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.'),
      desiredNumberScheduled: int('The total number of nodes that should be running the daemon pod.'),
      numberReady: int('numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
      observedGeneration: int64('The most recent generation observed by the daemon set controller.'),
      updatedNumberScheduled: int('The total number of nodes that are running updated daemon pod'),
      numberAvailable: int('The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
      numberUnavailable: int('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available.'),
      collisionCount: int('Count of hash collisions for the DaemonSet.'),
      conditions: conditionsSchema("Represents the latest available observations of a DaemonSet's current state."),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.updateStrategy ??= {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {};
      s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      s.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    defaultTemplate(s);
  },
  validate: (o) => {
    const s = o.spec ?? {};
    const errs = [...validateReplicas(s), ...validateSelectorAndTemplate(s, 'daemonset')];
    const t = s.updateStrategy?.type;
    if (t && !['OnDelete', 'RollingUpdate'].includes(t)) errs.push(notSupported('spec.updateStrategy.type', t, ['OnDelete', 'RollingUpdate']));
    const ru = s.updateStrategy?.rollingUpdate;
    if (ru) {
      errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
      if (isZeroIntOrPercent(ru.maxUnavailable ?? 1) && isZeroIntOrPercent(ru.maxSurge ?? 0))
        errs.push(invalidValue('spec.updateStrategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    return errs;
  },
  strategy: withZeroStatus({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  columns: [
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn,
    ...containersColumns,
    selectorColumn,
  ],
  cells: (o, now) => {
    const st = o.status ?? {};
    return [
      n(st.desiredNumberScheduled),
      n(st.currentNumberScheduled),
      n(st.numberReady),
      n(st.updatedNumberScheduled),
      n(st.numberAvailable),
      formatLabels(o.spec?.template?.spec?.nodeSelector),
      age(o, now),
      ...containersCells(o),
      selectorCell(o),
    ];
  },
});

// ---- StatefulSet ----

export const statefulSet = defineKind({
  ...APPS,
  kind: 'StatefulSet',
  plural: 'statefulsets',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' } },
  description: 'StatefulSet represents a set of pods with consistent identities.',
  fields: {
    spec: obj('Spec defines the desired identities of pods in this set.', {
      replicas: int('replicas is the desired number of replicas of the given Template. Defaults to 1.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      volumeClaimTemplates: list('volumeClaimTemplates is a list of claims that pods are allowed to reference.', freeform('PersistentVolumeClaim is a user\'s request for and claim to a persistent volume'), { listType: 'atomic' }),
      serviceName: str('serviceName is the name of the service that governs this StatefulSet.'),
      podManagementPolicy: str('podManagementPolicy controls how pods are created during initial scale up: OrderedReady or Parallel.'),
      updateStrategy: obj('updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.', {
        type: str('Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.'),
        rollingUpdate: rollingUpdateSchema('pods'),
      }),
      revisionHistoryLimit: int('revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet\'s revision history.'),
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available.'),
      persistentVolumeClaimRetentionPolicy: obj('persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates.', {
        whenDeleted: str('WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted: Retain or Delete.'),
        whenScaled: str('WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down: Retain or Delete.'),
      }),
      ordinals: obj('ordinals controls the numbering of replica indices in a StatefulSet.', { start: int('start is the number representing the first replica\'s index.') }),
    }),
    status: obj('Status is the current status of Pods in this StatefulSet.', {
      observedGeneration: int64('observedGeneration is the most recent generation observed for this StatefulSet.'),
      replicas: int('replicas is the number of Pods created by the StatefulSet controller.'),
      readyReplicas: int('readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'),
      currentReplicas: int('currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'),
      updatedReplicas: int('updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'),
      currentRevision: str('currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'),
      updateRevision: str('updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)'),
      collisionCount: int('collisionCount is the count of hash collisions for the StatefulSet.'),
      conditions: conditionsSchema("Represents the latest available observations of a statefulset's current state."),
      availableReplicas: int('Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.replicas ??= 1;
    s.podManagementPolicy ??= 'OrderedReady';
    s.updateStrategy ??= {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {};
      s.updateStrategy.rollingUpdate.partition ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    s.persistentVolumeClaimRetentionPolicy ??= {};
    s.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    s.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
    defaultTemplate(s);
  },
  validate: (o) => {
    const s = o.spec ?? {};
    const errs = [...validateReplicas(s), ...validateSelectorAndTemplate(s, 'statefulset')];
    if (s.podManagementPolicy && !['OrderedReady', 'Parallel'].includes(s.podManagementPolicy))
      errs.push(invalidValue('spec.podManagementPolicy', s.podManagementPolicy, 'must be \'OrderedReady\' or \'Parallel\''));
    const t = s.updateStrategy?.type;
    if (t && !['OnDelete', 'RollingUpdate'].includes(t)) errs.push(notSupported('spec.updateStrategy.type', t, ['OnDelete', 'RollingUpdate']));
    return errs;
  },
  strategy: {
    ...withZeroStatus({ replicas: 0, availableReplicas: 0 }),
    // Only replicas, template, updateStrategy, minReadySeconds, PVC retention policy, ordinals and
    // revisionHistoryLimit may change.
    validateUpdate: (o, old) => {
      const errs = selectorImmutable(o, old);
      const strip = (s: any) => {
        const c = { ...(s ?? {}) };
        for (const k of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'persistentVolumeClaimRetentionPolicy', 'ordinals', 'revisionHistoryLimit', 'selector']) delete c[k];
        return c;
      };
      if (!jsonEqual(strip(o.spec), strip(old.spec)))
        errs.push({ field: 'spec', type: 'FieldValueForbidden', detail: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" });
      return errs;
    },
  },
  columns: [col('Ready', 'string', 'Number of the pod with ready state'), ageColumn, ...containersColumns],
  cells: (o, now) => [`${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`, age(o, now), ...containersCells(o)],
});

void pathGetter;
