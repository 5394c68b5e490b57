// CEL for x-kubernetes-validations (and other CEL users: admission policies may share env.ts).
export { baseEnvironment } from './env.ts';
export { checkSchemaRules, validateRules } from './rules.ts';
export { toCel } from './values.ts';
export * from './cost.ts';
