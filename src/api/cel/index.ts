// CEL, once: Kubernetes' libraries (env.ts) and JSON↔CEL values (values.ts) for x-kubernetes-validations
// rules and for admission (webhook matchConditions, ValidatingAdmissionPolicy).
export { baseEnvironment, kubernetesEnvironment } from './env.ts';
export { checkSchemaRules, validateRules } from './rules.ts';
export { fromCel, toCel, untyped } from './values.ts';
export * from './cost.ts';
