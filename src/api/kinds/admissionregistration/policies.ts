// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
// (GA in 1.30): schema, defaults, validation with Kubernetes' messages, table columns.
import { duplicate, forbidden, invalidValue, notSupported, required, type FieldError } from '../../errors.ts';
import type { Schema } from '../../resource.ts';
import type { KubeObject } from '../../types.ts';
import { age, ageColumn, col, defineKind } from '../../meta.ts';
import { conditionsSchema, labelSelectorSchema } from '../common.ts';
import { int64, list, mergeList, obj, str } from '../../schema.ts';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, nameIsPathSegment } from '../../validation.ts';
import { matchConditionSchema, ruleWithOperationsSchema, GROUP } from './webhooks.ts';
import { policyExpressionCheck, policyMessageExpressionCheck, policyValueExpressionCheck } from './cel-check.ts';
import { FAILURE_POLICIES, MATCH_POLICIES, requiredWhy, validateEnumField, validateMatchConditions, validateRuleWithOperations, validateSelector } from './validation.ts';

const namedRuleSchema: Schema = {
  ...ruleWithOperationsSchema,
  description: 'NamedRuleWithOperations is a tuple of Operations and Resources with ResourceNames.',
  properties: { ...ruleWithOperationsSchema.properties, resourceNames: list('ResourceNames is an optional white list of names that the rule applies to.', str(), { listType: 'atomic' }) },
};

const matchResourcesSchema: Schema = obj(
  'MatchResources decides whether to run the admission control policy on an object based on whether it meets the match criteria.',
  {
    namespaceSelector: { ...labelSelectorSchema, description: 'NamespaceSelector decides whether to run the admission control policy on an object based on whether the namespace for that object matches the selector.' },
    objectSelector: { ...labelSelectorSchema, description: 'ObjectSelector decides whether to run the validation based on if the object has matching labels.' },
    resourceRules: list('ResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy matches.', namedRuleSchema, { listType: 'atomic' }),
    excludeResourceRules: list('ExcludeResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy should not care about.', namedRuleSchema, { listType: 'atomic' }),
    matchPolicy: str('matchPolicy defines how the "MatchResources" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent".'),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

function defaultMatchResources(m: any): void {
  if (!m || typeof m !== 'object') return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const key of ['resourceRules', 'excludeResourceRules']) for (const r of Array.isArray(m[key]) ? m[key] : []) if (r && typeof r === 'object') r.scope ??= '*';
}

function validateNamedRule(r: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (Array.isArray(r?.resourceNames) ? r.resourceNames : []).forEach((n: string, i: number) => {
    for (const m of nameIsPathSegment(String(n), false)) errs.push(invalidValue(`${f}.resourceNames[${i}]`, n, m));
    if (seen.has(n)) errs.push(duplicate(`${f}.resourceNames[${i}]`, n));
    seen.add(n);
  });
  return [...errs, ...validateRuleWithOperations(r, f)];
}

/** validateMatchResources: matchPolicy and both selectors are required (defaulted), rules checked. */
function validateMatchResources(m: any, f: string): FieldError[] {
  if (m === undefined || m === null) return [];
  const errs: FieldError[] = [];
  if (m.matchPolicy === undefined || m.matchPolicy === null) errs.push(required(`${f}.matchPolicy`));
  else errs.push(...validateEnumField(`${f}.matchPolicy`, m.matchPolicy, MATCH_POLICIES));
  if (!m.namespaceSelector) errs.push(required(`${f}.namespaceSelector`));
  else errs.push(...validateSelector(`${f}.namespaceSelector`, m.namespaceSelector));
  if (!m.objectSelector) errs.push(required(`${f}.objectSelector`));
  else errs.push(...validateSelector(`${f}.objectSelector`, m.objectSelector));
  for (const key of ['resourceRules', 'excludeResourceRules']) (Array.isArray(m[key]) ? m[key] : []).forEach((r: any, i: number) => errs.push(...validateNamedRule(r, `${f}.${key}[${i}]`)));
  return errs;
}

function validateParamKind(pk: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const av: string = pk?.apiVersion ?? '';
  if (!av) errs.push(required(`${f}.apiVersion`));
  else {
    const parts = av.split('/');
    if (parts.length > 2) errs.push(invalidValue(`${f}.apiVersion`, av, `unexpected GroupVersion string: ${av}`));
    else {
      const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
      if (group) {
        const e = isDNS1123Subdomain(group);
        if (e.length) errs.push(invalidValue(`${f}.apiVersion`, group, e.join(',')));
      }
      if (!version) errs.push(invalidValue(`${f}.apiVersion`, av, 'version must be specified'));
      else {
        const e = isDNS1035Label(version);
        if (e.length) errs.push(invalidValue(`${f}.apiVersion`, version, e.join(',')));
      }
    }
  }
  const kind: string = pk?.kind ?? '';
  if (!kind) errs.push(required(`${f}.kind`));
  else {
    const e = isDNS1035Label(kind.toLowerCase());
    if (e.length) errs.push(invalidValue(`${f}.kind`, kind, 'may have mixed case, but should otherwise match: ' + e.join(',')));
  }
  return errs;
}

const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const CEL_IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

function validateValidation(v: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const expr = typeof v?.expression === 'string' ? v.expression.trim() : '';
  if (!expr) errs.push(requiredWhy(`${f}.expression`, 'expression is not specified'));
  else {
    const why = policyExpressionCheck(v.expression);
    if (why) errs.push(invalidValue(`${f}.expression`, v.expression, why));
  }
  if (typeof v?.messageExpression === 'string' && v.messageExpression.length > 0) {
    if (!v.messageExpression.trim()) errs.push(invalidValue(`${f}.messageExpression`, v.messageExpression, 'must be non-empty if specified'));
    else {
      const why = policyMessageExpressionCheck(v.messageExpression);
      if (why) errs.push(invalidValue(`${f}.messageExpression`, v.messageExpression, why));
    }
  }
  if (typeof v?.message === 'string' && v.message.length > 0) {
    if (!v.message.trim()) errs.push(invalidValue(`${f}.message`, v.message, 'message must be non-empty if specified'));
    else if (/[\n\r]/.test(v.message.trim())) errs.push(invalidValue(`${f}.message`, v.message, 'message must not contain line breaks'));
  }
  if (v?.reason !== undefined && v?.reason !== null && !REASONS.includes(v.reason)) errs.push(notSupported(`${f}.reason`, v.reason, REASONS));
  return errs;
}

const listOf = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function validatePolicy(o: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = (o.spec as any) ?? {};
  const errs: FieldError[] = [];
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) errs.push(required('spec.failurePolicy'));
  else errs.push(...validateEnumField('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!spec.matchConstraints) errs.push(required('spec.matchConstraints'));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    if (listOf(spec.matchConstraints.resourceRules).length === 0) errs.push(required('spec.matchConstraints.resourceRules'));
  }
  const oldSpec = (old?.spec as any) ?? undefined;
  const conditionsUnchanged = oldSpec && JSON.stringify(oldSpec.matchConditions) === JSON.stringify(spec.matchConditions) && JSON.stringify(oldSpec.paramKind) === JSON.stringify(spec.paramKind);
  if (!conditionsUnchanged) errs.push(...validateMatchConditions('spec.matchConditions', spec.matchConditions, policyExpressionCheck));
  listOf(spec.variables).forEach((v, i) => {
    const f = `spec.variables[${i}]`;
    if (!v?.name || !String(v.name).trim()) errs.push(requiredWhy(`${f}.name`, 'name is not specified'));
    else if (!CEL_IDENT.test(v.name) || CEL_RESERVED.has(v.name)) errs.push(invalidValue(`${f}.name`, v.name, 'name is not a valid CEL identifier'));
    if (!v?.expression || !String(v.expression).trim()) errs.push(requiredWhy(`${f}.expression`, 'expression is not specified'));
    else {
      const why = policyValueExpressionCheck(v.expression);
      if (why) errs.push(invalidValue(`${f}.expression`, v.expression, why));
    }
  });
  const validations = listOf(spec.validations);
  const audits = listOf(spec.auditAnnotations);
  if (validations.length === 0 && audits.length === 0) {
    errs.push(requiredWhy('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(requiredWhy('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
  } else {
    validations.forEach((v, i) => errs.push(...validateValidation(v, `spec.validations[${i}]`)));
    if (audits.length > 20) errs.push(invalidValue('spec.auditAnnotations', audits, 'must not have more than 20 auditAnnotations'));
    const keys = new Set<string>();
    audits.forEach((a, i) => {
      const f = `spec.auditAnnotations[${i}]`;
      const name = o.metadata?.name;
      if (name) for (const m of isQualifiedName(`${name}/${a?.key ?? ''}`)) errs.push(invalidValue(`${f}.key`, `${name}/${a?.key ?? ''}`, m));
      else errs.push(invalidValue(`${f}.key`, a?.key, 'requires metadata.name be non-empty'));
      const ve = typeof a?.valueExpression === 'string' ? a.valueExpression.trim() : '';
      if (!ve) errs.push(requiredWhy(`${f}.valueExpression`, 'valueExpression is not specified'));
      else if (ve.length > 5 * 1024) errs.push(requiredWhy(`${f}.valueExpression`, 'must not exceed 5120 bytes in length'));
      else {
        const why = policyValueExpressionCheck(ve);
        if (why) errs.push(invalidValue(`${f}.valueExpression`, a.valueExpression, why));
      }
      if (keys.has(a?.key)) errs.push(duplicate(`${f}.key`, a?.key));
      keys.add(a?.key);
    });
  }
  return errs;
}

const ACTIONS = ['Audit', 'Deny', 'Warn'];

function validateBinding(o: KubeObject): FieldError[] {
  const spec = (o.spec as any) ?? {};
  const errs: FieldError[] = [];
  if (!spec.policyName) errs.push(required('spec.policyName'));
  else for (const m of isDNS1123Subdomain(spec.policyName)) errs.push(invalidValue('spec.policyName', spec.policyName, m));
  const pr = spec.paramRef;
  if (pr) {
    if (pr.name) {
      for (const m of nameIsPathSegment(String(pr.name), false)) errs.push(invalidValue('spec.paramRef.name', pr.name, m));
      if (pr.selector) errs.push(forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
    }
    if (pr.selector) {
      errs.push(...validateSelector('spec.paramRef.selector', pr.selector));
      if (pr.name) errs.push(forbidden('spec.paramRef.selector', 'name and selector are mutually exclusive'));
    }
    if (!pr.name && !pr.selector) errs.push(requiredWhy('spec.paramRef', 'one of name or selector must be specified'));
    if (!pr.parameterNotFoundAction) errs.push(required('spec.paramRef.parameterNotFoundAction'));
    else if (pr.parameterNotFoundAction !== 'Deny' && pr.parameterNotFoundAction !== 'Allow') errs.push(notSupported('spec.paramRef.parameterNotFoundAction', pr.parameterNotFoundAction, ['Deny', 'Allow']));
  }
  // (sic) Kubernetes names this path "matchResouces"
  errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResouces'));
  const actions = listOf(spec.validationActions);
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, ACTIONS));
    if (seen.has(a)) errs.push(duplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) errs.push(invalidValue('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  if (seen.size === 0) errs.push(requiredWhy('spec.validationActions', 'at least one validation action is required'));
  return errs;
}

/** LabelSelector.String() (gogo protobuf) as the binding's PARAMREF column prints a selector. */
function protoSelectorString(s: any): string {
  const ml = Object.keys(s?.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${s.matchLabels[k]},`)
    .join('');
  const me = ((s?.matchExpressions as any[]) ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],}`).join(',');
  return `&LabelSelector{MatchLabels:map[string]string{${ml}},MatchExpressions:[]LabelSelectorRequirement{${me}},}`;
}

export const validatingAdmissionPolicy = defineKind({
  group: GROUP,
  version: 'v1',
  kind: 'ValidatingAdmissionPolicy',
  plural: 'validatingadmissionpolicies',
  categories: ['api-extensions'],
  namespaced: false,
  subresources: { status: true },
  description: 'ValidatingAdmissionPolicy describes the definition of an admission validation policy that accepts or rejects an object without changing it.',
  fields: {
    spec: obj('Specification of the desired behavior of the ValidatingAdmissionPolicy.', {
      paramKind: obj('ParamKind specifies the kind of resources used to parameterize this policy.', { apiVersion: str('APIVersion is the API group version the resources belong to.'), kind: str('Kind is the API kind the resources belong to. Required.') }, { 'x-kubernetes-map-type': 'atomic' }),
      matchConstraints: matchResourcesSchema,
      validations: list(
        'Validations contain CEL expressions which is used to apply the validation.',
        obj('Validation specifies the CEL expression which is used to apply the validation.', {
          expression: str('Expression represents the expression which will be evaluated by CEL.'),
          message: str('Message represents the message displayed when validation fails.'),
          reason: str('Reason represents a machine-readable description of why this validation failed.'),
          messageExpression: str('messageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails.'),
        }),
        { listType: 'atomic' },
      ),
      failurePolicy: str('failurePolicy defines how to handle failures for the admission policy. Allowed values are Ignore or Fail. Defaults to Fail.'),
      auditAnnotations: list('auditAnnotations contains CEL expressions which are used to produce audit annotations for the audit event of the API request.', obj('AuditAnnotation describes how to produce an audit annotation for an API request.', { key: str('key specifies the audit annotation key.'), valueExpression: str('valueExpression represents the expression which is evaluated by CEL to produce an audit annotation value.') }), { listType: 'atomic' }),
      matchConditions: mergeList('MatchConditions is a list of conditions that must be met for a request to be validated.', matchConditionSchema, 'name'),
      variables: list('Variables contain definitions of variables that can be used in composition of other expressions.', obj('Variable is the definition of a variable that is used for composition.', { name: str('Name is the name of the variable.'), expression: str('Expression is the expression that will be evaluated as the value of the variable.') }), { listType: 'atomic' }),
    }),
    status: obj('The status of the ValidatingAdmissionPolicy, including warnings that are useful to determine if the policy behaves in the expected way.', {
      observedGeneration: int64('The generation observed by the controller.'),
      typeChecking: obj('The results of type checking for each expression.', {
        expressionWarnings: list('The type checking warnings for each expression.', obj('ExpressionWarning is a warning information that targets a specific expression.', { fieldRef: str('The path to the field that refers the expression.'), warning: str('The content of type checking information in a human-readable form.') }), { listType: 'atomic' }),
      }),
      conditions: conditionsSchema('The conditions represent the latest available observations of a policy\'s current state.'),
    }),
  },
  defaults: (o) => {
    const spec = o.spec as any;
    if (!spec || typeof spec !== 'object') return;
    spec.failurePolicy ??= 'Fail';
    defaultMatchResources(spec.matchConstraints);
  },
  validate: (o, old) => validatePolicy(o, old),
  strategy: { specFields: ['spec'] },
  columns: [col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'), col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'), ageColumn],
  cells: (o, now) => {
    const pk = (o.spec as any)?.paramKind;
    return [listOf((o.spec as any)?.validations).length, pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>', age(o, now)];
  },
});

export const validatingAdmissionPolicyBinding = defineKind({
  group: GROUP,
  version: 'v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  plural: 'validatingadmissionpolicybindings',
  categories: ['api-extensions'],
  namespaced: false,
  description: 'ValidatingAdmissionPolicyBinding binds the ValidatingAdmissionPolicy with paramerized resources.',
  fields: {
    spec: obj('Specification of the desired behavior of the ValidatingAdmissionPolicyBinding.', {
      policyName: str('PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to.'),
      paramRef: obj('paramRef specifies the parameter resource used to configure the admission control policy.', {
        name: str('name is the name of the resource being referenced.'),
        namespace: str('namespace is the namespace of the referenced resource.'),
        selector: { ...labelSelectorSchema, description: 'selector can be used to match multiple param objects based on their labels.' },
        parameterNotFoundAction: str('parameterNotFoundAction controls the behavior of the binding when the resource exists, and name or selector is valid, but there are no parameters matched by the binding. Allowed values are Allow or Deny.'),
      }, { 'x-kubernetes-map-type': 'atomic' }),
      matchResources: matchResourcesSchema,
      validationActions: list('validationActions declares how Validations of the referenced ValidatingAdmissionPolicy are enforced.', str(), { listType: 'set' }),
    }),
  },
  defaults: (o) => defaultMatchResources((o.spec as any)?.matchResources),
  validate: (o) => validateBinding(o),
  strategy: { specFields: ['spec'] },
  columns: [col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'), col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'), ageColumn],
  cells: (o, now) => {
    const spec = (o.spec as any) ?? {};
    const pr = spec.paramRef;
    let param = '<unset>';
    if (pr?.name) param = pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
    else if (pr?.selector) param = protoSelectorString(pr.selector);
    return [spec.policyName ?? '', param, age(o, now)];
  },
});
