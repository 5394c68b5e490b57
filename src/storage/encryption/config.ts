// EncryptionConfiguration (apiserver.config.k8s.io/v1): which resources are encrypted at rest and by
// which providers. Parsed and validated as kube-apiserver's --encryption-provider-config is, with
// Kubernetes' wording for the errors (`resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: ...`).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface EncryptionKey {
  name: string;
  secret: string;
}

export interface ProviderConfiguration {
  aesgcm?: { keys: EncryptionKey[] };
  aescbc?: { keys: EncryptionKey[] };
  secretbox?: { keys: EncryptionKey[] };
  identity?: Record<string, never>;
  kms?: unknown;
}

export interface ResourceConfiguration {
  resources: string[];
  providers: ProviderConfiguration[];
}

export interface EncryptionConfiguration {
  apiVersion?: string;
  kind?: string;
  resources: ResourceConfiguration[];
}

/** A group/resource as schema.ParseGroupResource reads it: `secrets`, `*.`, `*.*`, `deployments.apps`, `*.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function parseGroupResource(s: string): GroupResource {
  const dot = s.indexOf('.');
  return dot < 0 ? { group: '', resource: s } : { group: s.slice(dot + 1), resource: s.slice(0, dot) };
}

const AES_KEY_SIZES = [16, 24, 32];
const SECRETBOX_KEY_SIZES = [32];
const PROVIDERS = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;

/** The configuration's errors, one line each, as Kubernetes' ValidateEncryptionConfiguration words them. */
export function validateEncryptionConfiguration(c: EncryptionConfiguration | undefined): string[] {
  const errs: string[] = [];
  if (!c || typeof c !== 'object') return ['resources: Required value: EncryptionConfiguration can\'t be nil'];
  if (c.kind !== undefined && c.kind !== 'EncryptionConfiguration') errs.push(`kind: Invalid value: ${JSON.stringify(c.kind)}: must be EncryptionConfiguration`);
  if (c.apiVersion !== undefined && c.apiVersion !== 'apiserver.config.k8s.io/v1') {
    errs.push(`apiVersion: Invalid value: ${JSON.stringify(c.apiVersion)}: must be apiserver.config.k8s.io/v1`);
  }
  if (!Array.isArray(c.resources) || c.resources.length === 0) return [...errs, 'resources: Required value: at least one resources is required'];
  c.resources.forEach((conf, i) => {
    const r = `resources[${i}].resources`;
    const p = `resources[${i}].providers`;
    const resources = Array.isArray(conf?.resources) ? conf.resources : [];
    if (resources.length === 0) errs.push(`${r}: Required value: at least one ${r} is required`);
    errs.push(...validateResourceNames(resources, r), ...validateResourceOverlap(resources, r));
    const providers = Array.isArray(conf?.providers) ? conf.providers : [];
    if (providers.length === 0) errs.push(`${p}: Required value: at least one ${p} is required`);
    providers.forEach((provider, j) => {
      const path = `${p}[${j}]`;
      const found = PROVIDERS.filter((k) => provider && (provider as Record<string, unknown>)[k] != null);
      if (found.length === 0) {
        errs.push(`${path}: Invalid value: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity`);
        return;
      }
      if (found.length > 1) {
        errs.push(`${path}: Invalid value: more than one provider specified in a single element, should split into different list elements`);
        return;
      }
      const kind = found[0];
      if (kind === 'kms') errs.push(`${path}.kms: Unsupported value: KMS providers are not supported by kubesim`);
      if (kind === 'aesgcm' || kind === 'aescbc') errs.push(...validateKeys(provider[kind]!.keys, `${path}.${kind}.keys`, AES_KEY_SIZES));
      if (kind === 'secretbox') errs.push(...validateKeys(provider.secretbox!.keys, `${path}.secretbox.keys`, SECRETBOX_KEY_SIZES));
    });
  });
  return errs;
}

function validateKeys(keys: EncryptionKey[] | undefined, path: string, sizes: number[]): string[] {
  if (!Array.isArray(keys) || keys.length === 0) return [`${path}: Required value: at least one keys is required`];
  const errs: string[] = [];
  keys.forEach((key, i) => {
    const at = `${path}[${i}]`;
    if (!key?.name) errs.push(`${at}.name: Required value: name is a mandatory field for a key`);
    if (!key?.secret) {
      errs.push(`${at}.secret: Required value: secret is a mandatory field for a key`);
      return;
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key.secret) || key.secret.length % 4 !== 0) {
      errs.push(`${at}.secret: Invalid value: "REDACTED": secrets must be base64 encoded`);
      return;
    }
    const len = Buffer.from(key.secret, 'base64').length;
    if (!sizes.includes(len)) errs.push(`${at}.secret: Invalid value: "REDACTED": secret is not of the expected length, got ${len}, expected one of [${sizes.join(' ')}]`);
  });
  return errs;
}

function validateResourceNames(resources: string[], path: string): string[] {
  const errs: string[] = [];
  resources.forEach((res, j) => {
    const at = `${path}[${j}]: Invalid value: ${JSON.stringify(res)}`;
    const gr = parseGroupResource(res);
    if (res.toLowerCase() !== res) errs.push(`${at}: resource name should not contain capital letters`);
    else if (res === '*') errs.push(`${at}: use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources`);
    else if (['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations'].includes(res)) errs.push(`${at}: resources which do not have REST API/s cannot be encrypted`);
    else if (gr.group === 'events.k8s.io') {
      errs.push(`${at}: '*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file`);
    } else if (gr.group === 'extensions') errs.push(`${at}: 'extensions' group has been removed and cannot be used for encryption`);
    else if (gr.group === '*' && gr.resource !== '*') errs.push(`${at}: encrypting the same resource across groups is not supported`);
  });
  return errs;
}

function validateResourceOverlap(resources: string[], path: string): string[] {
  if (resources.length < 2) return [];
  const rs = resources.map(parseGroupResource);
  let duplicate = false;
  let overlap = false;
  rs.forEach((a, i) =>
    rs.forEach((b, j) => {
      if (i === j) return;
      if (a.group === b.group && a.resource === b.resource) duplicate = true;
      else if ((a.group === '*' && a.resource === '*') || (a.group === b.group && (a.resource === '*' || b.resource === '*'))) overlap = true;
    }),
  );
  const value = `[]string{${resources.map((r) => JSON.stringify(r)).join(', ')}}`;
  const errs: string[] = [];
  if (duplicate) errs.push(`${path}: Invalid value: ${value}: the same resource cannot be specified multiple times`);
  if (overlap) errs.push(`${path}: Invalid value: ${value}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`);
  return errs;
}

/** Parses and validates a configuration (YAML or JSON text); throws one Error listing every problem. */
export function parseEncryptionConfiguration(text: string, source = 'encryption provider configuration'): EncryptionConfiguration {
  let c: EncryptionConfiguration;
  try {
    c = parseYaml(text) as EncryptionConfiguration;
  } catch (err) {
    throw new Error(`error while parsing file ${source}: ${(err as Error).message}`);
  }
  const errs = validateEncryptionConfiguration(c);
  if (errs.length) throw new Error(`error while parsing file ${source}: ${errs.length > 1 ? `[${errs.join(', ')}]` : errs[0]}`);
  return c;
}

export function loadEncryptionConfiguration(path: string): EncryptionConfiguration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`error opening encryption provider configuration file "${path}": ${(err as Error).message}`);
  }
  return parseEncryptionConfiguration(text, path);
}
