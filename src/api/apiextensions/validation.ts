// ValidateCustomResourceDefinition(Update) with Kubernetes' messages and paths. Paths follow the
// internal type as Kubernetes reports them (spec.conversion.webhookClientConfig, ...JSONPath).
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { checkSchemaRules } from '../cel/index.ts';
import { resolveFieldPath, schemaHas, validateSchemaDefinition } from '../openapi-schema/index.ts';
import { FIELD_IMMUTABLE, isDNS1035Label, isDNS1123Subdomain, tooMany } from '../validation.ts';
import { isConditionTrue, type Crd, type CrdNames, type CrdVersion } from './types.ts';

const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const PRINTER_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];
const MAX_SELECTABLE_FIELDS = 8;
const req = (field: string, detail: string): FieldError => ({ field, type: 'FieldValueRequired', detail: `Required value: ${detail}` });

/** The CRD's metadata.name must be `<plural>.<group>` (on top of DNS-1123 subdomain). */
export function crdNameValidator(crd: Crd) {
  return (name: string, prefix: boolean): string[] => {
    const out = isDNS1123Subdomain(name);
    if (!prefix && name !== `${crd.spec?.names?.plural}.${crd.spec?.group}`) out.push('must be spec.names.plural+"."+spec.group');
    return out;
  };
}

function validateNames(n: Partial<CrdNames> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!n) return errs;
  const dns = (f: string, v: string | undefined, prefix = '') => {
    if (!v) return;
    const msgs = isDNS1035Label(prefix ? v.toLowerCase() : v);
    if (msgs.length) errs.push(invalidValue(`${path}.${f}`, v, prefix + msgs.join(',')));
  };
  dns('plural', n.plural);
  dns('singular', n.singular);
  dns('kind', n.kind, 'may have mixed case, but should otherwise match: ');
  dns('listKind', n.listKind, 'may have mixed case, but should otherwise match: ');
  (n.shortNames ?? []).forEach((s, i) => {
    const msgs = isDNS1035Label(s);
    if (msgs.length) errs.push(invalidValue(`${path}.shortNames[${i}]`, s, msgs.join(',')));
  });
  if (n.kind && n.kind === n.listKind) errs.push(invalidValue(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  (n.categories ?? []).forEach((c, i) => {
    const msgs = isDNS1035Label(c);
    if (msgs.length) errs.push(invalidValue(`${path}.categories[${i}]`, c, msgs.join(',')));
  });
  return errs;
}

function simpleJsonPath(s: string, path: string): FieldError[] {
  if (s.length === 0) return [invalidValue(path, s, 'must not be empty')];
  if (s[0] !== '.') return [invalidValue(path, s, 'must be a simple json path starting with .')];
  return [];
}

function validateSubresources(sub: CrdVersion['subresources'], path: string): FieldError[] {
  const scale = sub?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const check = (f: 'specReplicasPath' | 'statusReplicasPath', prefix: string, what: string) => {
    const v = scale[f];
    if (!v) return errs.push(required(`${path}.scale.${f}`));
    const e = simpleJsonPath(v, `${path}.scale.${f}`);
    if (e.length) errs.push(...e);
    else if (!v.startsWith(prefix)) errs.push(invalidValue(`${path}.scale.${f}`, v, `should be a json path under ${what}`));
  };
  check('specReplicasPath', '.spec.', '.spec');
  check('statusReplicasPath', '.status.', '.status');
  const l = scale.labelSelectorPath;
  if (l) {
    const e = simpleJsonPath(l, `${path}.scale.labelSelectorPath`);
    if (e.length) errs.push(...e);
    else if (!l.startsWith('.spec.') && !l.startsWith('.status.')) errs.push(invalidValue(`${path}.scale.labelSelectorPath`, l, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

function validateColumn(c: CrdVersion['additionalPrinterColumns'] extends (infer T)[] | undefined ? T : never, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(`${path}.name`));
  if (!c.type) errs.push(req(`${path}.type`, `must be one of ${PRINTER_TYPES.join(',')}`));
  else if (!PRINTER_TYPES.includes(c.type)) errs.push(invalidValue(`${path}.type`, c.type, `must be one of ${PRINTER_TYPES.join(',')}`));
  if (c.format && !PRINTER_FORMATS.includes(c.format)) errs.push(invalidValue(`${path}.format`, c.format, `must be one of ${PRINTER_FORMATS.join(',')}`));
  if (!c.jsonPath) errs.push(required(`${path}.JSONPath`));
  else errs.push(...simpleJsonPath(c.jsonPath, `${path}.JSONPath`));
  return errs;
}

function validateSelectableFields(v: CrdVersion, path: string): FieldError[] {
  const fields = v.selectableFields ?? [];
  if (!fields.length) return [];
  const schema = v.schema?.openAPIV3Schema;
  if (!schema) return [invalidValue(`${path}.selectableFields`, '', 'may only be set when `version.schema.openAPIV3Schema` is not included')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const p = `${path}.selectableFields[${i}].jsonPath`;
    if (!f.jsonPath) return errs.push(required(p));
    const resolved = resolveFieldPath(schema, f.jsonPath);
    if (!resolved || resolved.includes('[')) return errs.push(invalidValue(p, f.jsonPath, 'is an invalid path: does not refer to a valid field'));
    if (resolved.split('.')[0] === 'metadata') errs.push(invalidValue(p, f.jsonPath, 'must not point to fields in metadata'));
    let s: any = schema;
    for (const part of resolved.split('.')) s = s?.properties?.[part];
    if (!s || !['string', 'boolean', 'integer'].includes(s.type)) {
      errs.push(invalidValue(p, f.jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (seen.has(resolved)) errs.push({ field: p, type: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(f.jsonPath)}` });
    seen.add(resolved);
  });
  if (seen.size > MAX_SELECTABLE_FIELDS) errs.push(tooMany(`${path}.selectableFields`, seen.size, MAX_SELECTABLE_FIELDS));
  return errs;
}

function validateDeprecationWarning(v: CrdVersion, path: string): FieldError[] {
  const w = v.deprecationWarning;
  if (w === undefined) return [];
  const p = `${path}.deprecationWarning`;
  if (!v.deprecated) return [invalidValue(p, w, 'can only be set for deprecated versions')];
  const errs: FieldError[] = [];
  if (w.length > 256) errs.push(invalidValue(p, w, 'must be <= 256 characters long'));
  if (w.length === 0) errs.push(invalidValue(p, w, 'must not be an empty string'));
  const bad = [...w].findIndex((c) => /\p{C}/u.test(c));
  if (bad >= 0) errs.push(invalidValue(p, w, `must only contain printable UTF-8 characters; non-printable character found at index ${bad}`));
  return errs;
}

function validateVersion(v: CrdVersion, path: string): FieldError[] {
  const errs: FieldError[] = [...validateDeprecationWarning(v, path)];
  const schema = v.schema?.openAPIV3Schema;
  if (schema) {
    const sp = `${path}.schema.openAPIV3Schema`;
    const schemaErrs = validateSchemaDefinition(schema, sp, { statusEnabled: !!v.subresources?.status });
    errs.push(...schemaErrs);
    if (schemaErrs.length === 0) errs.push(...checkSchemaRules(schema, sp));
  }
  errs.push(...validateSubresources(v.subresources, `${path}.subresources`));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, `${path}.additionalPrinterColumns[${i}]`)));
  errs.push(...validateSelectableFields(v, path));
  return errs;
}

function validateConversion(crd: Crd): FieldError[] {
  const c = crd.spec.conversion;
  if (!c) return [];
  const path = 'spec.conversion';
  const errs: FieldError[] = [];
  if (!c.strategy) errs.push(required(`${path}.strategy`));
  else if (c.strategy !== 'None' && c.strategy !== 'Webhook') errs.push(notSupported(`${path}.strategy`, c.strategy, ['None', 'Webhook']));
  const cc = c.webhook?.clientConfig;
  const versions = c.webhook?.conversionReviewVersions ?? [];
  if (c.strategy === 'Webhook') {
    if (!cc) errs.push(req(`${path}.webhookClientConfig`, 'required when strategy is set to Webhook'));
    else if ((cc.url === undefined) === (cc.service === undefined)) errs.push(req(`${path}.webhookClientConfig`, 'exactly one of url or service is required'));
    else if (cc.url !== undefined) {
      let u: URL | undefined;
      try {
        u = new URL(cc.url);
      } catch {
        errs.push(invalidValue(`${path}.webhookClientConfig.url`, cc.url, 'host must be specified'));
      }
      if (u && u.protocol !== 'https:') errs.push(invalidValue(`${path}.webhookClientConfig.url`, cc.url, "'https' is the only allowed URL scheme"));
    } else if (cc.service) {
      if (!cc.service.name) errs.push(required(`${path}.webhookClientConfig.service.name`));
      if (!cc.service.namespace) errs.push(required(`${path}.webhookClientConfig.service.namespace`));
    }
    if (versions.length === 0) errs.push(required(`${path}.conversionReviewVersions`));
    else {
      versions.forEach((v, i) => {
        if (versions.indexOf(v) !== i) errs.push(invalidValue(`${path}.conversionReviewVersions[${i}]`, v, 'duplicate version'));
      });
      if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) errs.push(invalidValue(`${path}.conversionReviewVersions`, versions, `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
    }
  } else {
    if (cc) errs.push(forbidden(`${path}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'));
    if (versions.length) errs.push(forbidden(`${path}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateStoredVersions(crd: Crd): FieldError[] {
  const stored = crd.status?.storedVersions ?? [];
  const path = 'status.storedVersions';
  if (stored.length === 0) return [invalidValue(path, stored, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const versions = crd.spec.versions ?? [];
  for (const v of versions) if (v.storage && !stored.includes(v.name)) errs.push(invalidValue(path, stored, `must have the storage version ${v.name}`));
  stored.forEach((s, i) => {
    if (!versions.some((v) => v.name === s)) {
      errs.push(invalidValue(`${path}[${i}]`, s, `missing from spec.versions; ${s} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${s} and removes ${s} from status.storedVersions`));
    }
  });
  return errs;
}

/** apiextensions' protected groups need the api-approved.kubernetes.io annotation. */
function validateApproval(crd: Crd): FieldError[] {
  const g = crd.spec.group ?? '';
  const protectedGroup = g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');
  if (!protectedGroup || crd.metadata.annotations?.['api-approved.kubernetes.io']) return [];
  return [req('metadata.annotations[api-approved.kubernetes.io]', 'protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111')];
}

/** Every problem with a CRD's spec and status (metadata is validated by the kind). */
export function validateCrd(crd: Crd): FieldError[] {
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(required('spec.group'));
  else {
    const msgs = isDNS1123Subdomain(spec.group);
    if (msgs.length) errs.push(invalidValue('spec.group', spec.group, msgs.join(',')));
    else if (spec.group.split('.').length < 2) errs.push(invalidValue('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const versions = spec.versions ?? [];
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) errs.push(required(`spec.versions[${i}].schema.openAPIV3Schema`));
  });
  const defaults = versions.some((v) => schemaHas(v.schema?.openAPIV3Schema, (s) => s.default !== undefined));
  if (spec.preserveUnknownFields === true) {
    errs.push(invalidValue('spec.preserveUnknownFields', true, defaults ? 'must be false in order to use defaults in the schema' : 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  let storage = 0;
  const names = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    if (v.storage) storage++;
    if (names.has(v.name)) unique = false;
    names.add(v.name);
    const msgs = isDNS1035Label(v.name ?? '');
    if (msgs.length) errs.push(invalidValue(`spec.versions[${i}].name`, v.name ?? '', msgs.join(',')));
    errs.push(...validateVersion(v, `spec.versions[${i}]`));
  });
  if (!unique) errs.push(invalidValue('spec.versions', versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(invalidValue('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const n = spec.names ?? ({} as CrdNames);
  if (!n.plural) errs.push(required('spec.names.plural'));
  if (!n.singular) errs.push(required('spec.names.singular'));
  if (!n.kind) errs.push(required('spec.names.kind'));
  if (!n.listKind) errs.push(required('spec.names.listKind'));
  errs.push(...validateNames(n, 'spec.names'));
  errs.push(...validateConversion(crd));
  errs.push(...validateNames(crd.status?.acceptedNames, 'status.acceptedNames'));
  errs.push(...validateStoredVersions(crd));
  errs.push(...validateApproval(crd));
  return errs;
}

/** ValidateCustomResourceDefinitionUpdate's additions: group and plural immutable; scope and kind once Established. */
export function validateCrdUpdate(crd: Crd, old: Crd): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = (path: string, a: unknown, b: unknown) => {
    if (a !== b) errs.push(invalidValue(path, a, FIELD_IMMUTABLE));
  };
  if (isConditionTrue(old, 'Established')) {
    immutable('spec.scope', crd.spec?.scope, old.spec?.scope);
    immutable('spec.names.kind', crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  immutable('spec.group', crd.spec?.group, old.spec?.group);
  immutable('spec.names.plural', crd.spec?.names?.plural, old.spec?.names?.plural);
  return errs;
}
