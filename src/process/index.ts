// kubesim's components as child processes: spawn, stop by pid, exit with the parent, their kubeconfigs.
export { KUBESIM_BIN, EXIT_WITH_PARENT_ENV, CHILD_NODE_FLAGS_ENV, childNodeFlags, spawnKubesim, stopChild, hasExited, waitListening, exitWithParent, type SpawnOptions } from './children.ts';
export { COMPONENT_KUBECONFIGS, componentKubeconfigPath, type ComponentProcess } from './kubeconfigs.ts';
export { descendants } from './tree.ts';
export { YOUNG_SEMI_SPACE_MB, YOUNG_GENERATION_COMMANDS, COMPONENT_SEMI_SPACE_MB, componentYoungGenerationFlags, reexecWithYoungGeneration, setsSemiSpace, youngGenerationArgs } from './heapflags.ts';
