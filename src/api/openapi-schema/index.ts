// Structural schemas (apiextensions.k8s.io JSONSchemaProps): a CRD's schema checked as Kubernetes
// checks it, and custom resources pruned, defaulted and validated by it. Pure: no server state.
export * from './types.ts';
export { validateValue, validateListTypes, jsonTypeOf } from './validate.ts';
export { prune, pruneNulls, applyDefaults } from './prune.ts';
export { validateSchemaDefinition, schemaHas } from './structural.ts';
export { resolveFieldPath, fieldPathValid } from './fieldpath.ts';
export { formatOk, compilePattern } from './formats.ts';
export { pruneSchemaKeys } from './props.ts';
