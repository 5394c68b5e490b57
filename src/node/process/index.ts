// Containers that really run: the process runtime (runtime.ts) and the dispatching runtime the node
// pool uses by default (dispatch.ts). docs/node-simulation.md, "Real containers", describes them.
export { ProcessRuntime, type ProcessRuntimeOptions } from './runtime.ts';
export { ServiceProxy, loopbackAlias } from './services.ts';
export { DispatchingRuntime } from './dispatch.ts';
export { clientSource, type ConfigSource } from './config.ts';
export { isNodeImage, nodeArgs } from './command.ts';
