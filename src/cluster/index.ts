// Composition: start the components in one process (`kubesim up`) or each on its own.
export { runApiServer, startApiServer, onTerminationSignal, processLogger, type ApiServerOptions, type RunningApiServer } from './apiserver.ts';
export { startCluster, runUp, type UpOptions, type RunningCluster } from './up.ts';
export { PLACEMENTS, componentArgs, type Placement } from './placement.ts';
export { securityOptions, insecureRefusal, isLoopback, type SecurityFlags } from './security.ts';
export { startScheduler, POLICIES, type Policy, type StartSchedulerOptions, type RunningScheduler, type KubeSchedulerConfiguration } from '../scheduler/index.ts';
export { startControllerManager, CONTROLLERS, CONTROLLER_DEFAULTS, type ControllerManager, type ControllerManagerOptions } from '../controllers/index.ts';
export { startNodePool, parseLabels, parseTaints, loadProfile, defaultWriteConcurrency, KUBELET_DEFAULTS, poolSummarySource, type NodePool, type NodePoolOptions } from '../node/index.ts';
export { ConfigError, profilesFromConfig, pluginRegistry } from '../scheduler/index.ts';
export { readStoreHistory, type StoreHistory } from './store-history.ts';
