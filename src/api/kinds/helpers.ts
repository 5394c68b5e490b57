// Per-kind helpers other layers use (controllers, node agents, API server admission).
export { admitPodDefaults, addDefaultTolerations, defaultImagePullPolicy, defaultPodSpec, POD_UPDATE_FORBIDDEN } from './podspec.ts';
export { podCells } from './pod.ts';
export { nodeStatusString, nodeRoles, TAINT_EFFECTS } from './node.ts';
export { makePortString, serviceExternalIP, SERVICE_TYPES, allocateClusterIP, allocateNodePort, addressesInUse, assignServiceAddresses, kubernetesServiceIP, DEFAULT_SERVICE_CIDR, NODE_PORT_RANGE } from './service.ts';
export { formatEndpoints, isConfigMapKey, SECRET_TYPES } from './simple.ts';
export { coreEventCells, coreToEventsV1, eventsV1ToCore } from './event.ts';
export { generateJobSelector, jobStatus, jobCompletions, jobDuration, JOB_LABELS } from './job.ts';
export { formatHPAMetrics, hpaV1ToV2, hpaV2ToV1 } from './hpa.ts';
export { selectorImmutable, validateSelectorAndTemplate } from './workload.ts';
