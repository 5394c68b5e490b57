// What a real container sees of its pod spec: its environment (env, envFrom, ConfigMap and Secret
// keys, fieldRef, resourceFieldRef, $(VAR) expansion) and its volumes materialised as directories
// under the pod's directory (configMap, secret, emptyDir, downwardAPI, projected sources), with
// each volumeMount a (mountPath → directory) mapping the preload applies. ConfigMaps and Secrets are
// read through the pool's client when the container starts, and volumes are refreshed while it runs
// (PodVolumes: rewritten atomically, as the kubelet's AtomicWriter does, when their content changed).
// serviceAccountToken sources come from the TokenRequest API, bound to the pod, and are asked for
// again once 80% of their lifetime has passed (TokenCache, as the kubelet's token manager).
import { createHash } from 'node:crypto';
import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ResourceRef } from '../../api/core/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Client } from '../../client/index.ts';
import { expandVars, fieldRefValue, resourceFieldValue, type PodFacts } from './fields.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' };
const SERVICEACCOUNTS: ResourceRef = { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' };

/** The container can't be configured (CreateContainerConfigError): the kubelet's message. */
export class ConfigError extends Error {}

/** What a projected serviceAccountToken source asks the TokenRequest API for. */
export interface TokenAsk {
  namespace: string;
  serviceAccount: string;
  pod: { name: string; uid: string };
  audience?: string;
  expirationSeconds: number;
}

/** A token from the TokenRequest API and how long it lives. */
export interface IssuedToken {
  token: string;
  /** Its lifetime in ms (from the answer's expirationTimestamp). */
  lifetimeMs: number;
}

/** Reads ConfigMaps and Secrets (undefined when not found); asks for ServiceAccount tokens. */
export interface ConfigSource {
  get(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): Promise<KubeObject | undefined>;
  /** POST serviceaccounts/NAME/token bound to the pod; absent = token sources can't be written. */
  token?(ask: TokenAsk): Promise<IssuedToken>;
}

export function clientSource(client: Client): ConfigSource {
  return {
    async get(kind, namespace, name) {
      try {
        return await client.resource(kind === 'ConfigMap' ? CONFIGMAPS : SECRETS).get(name, { namespace });
      } catch (e) {
        if ((e as { code?: number }).code === 404 || /not found/i.test(String((e as Error).message))) return undefined;
        throw e;
      }
    },
    async token(ask) {
      const body = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { ...(ask.audience ? { audiences: [ask.audience] } : {}), expirationSeconds: ask.expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: ask.pod.name, uid: ask.pod.uid } },
      };
      const out: any = await client.resource(SERVICEACCOUNTS).createSubresource(ask.serviceAccount, 'token', body, { namespace: ask.namespace });
      const expires = Date.parse(out?.status?.expirationTimestamp ?? '');
      return { token: String(out?.status?.token ?? ''), lifetimeMs: Number.isFinite(expires) ? Math.max(0, expires - Date.now()) : ask.expirationSeconds * 1000 };
    },
  };
}

/** The kubelet's token manager rule: a token is refreshed once 80% of its lifetime has passed. */
export function tokenNeedsRefresh(fetchedAt: number, lifetimeMs: number, now: number): boolean {
  return now - fetchedAt >= lifetimeMs * 0.8;
}

/** Tokens of projected serviceAccountToken sources, reused until they need a refresh. */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; fetchedAt: number; lifetimeMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(src: ConfigSource, ask: TokenAsk): Promise<string> {
    const key = `${ask.namespace}/${ask.serviceAccount}/${ask.pod.uid}/${ask.audience ?? ''}/${ask.expirationSeconds}`;
    const had = this.tokens.get(key);
    if (had && !tokenNeedsRefresh(had.fetchedAt, had.lifetimeMs, this.now())) return had.token;
    if (!src.token) throw new ConfigError('serviceAccountToken volume sources are not served by this node pool');
    const fetchedAt = this.now();
    const t = await src.token(ask);
    this.tokens.set(key, { token: t.token, fetchedAt, lifetimeMs: t.lifetimeMs });
    return t.token;
  }

  forget(podUid: string): void {
    for (const k of this.tokens.keys()) if (k.split('/')[2] === podUid) this.tokens.delete(k);
  }
}

/** Keys of a ConfigMap (data, binaryData) or Secret (data, base64) as bytes. */
function entries(kind: 'ConfigMap' | 'Secret', obj: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (kind === 'ConfigMap') {
    for (const [k, v] of Object.entries<string>((obj as any).data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
    for (const [k, v] of Object.entries<string>((obj as any).binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  } else {
    for (const [k, v] of Object.entries<string>((obj as any).data ?? {})) out.set(k, Buffer.from(v, 'base64'));
    for (const [k, v] of Object.entries<string>((obj as any).stringData ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  }
  return out;
}

async function source(src: ConfigSource, kind: 'ConfigMap' | 'Secret', ns: string, name: string, optional: boolean): Promise<Map<string, Buffer> | undefined> {
  const obj = await src.get(kind, ns, name);
  if (obj) return entries(kind, obj);
  if (optional) return undefined;
  throw new ConfigError(`${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${name}" not found`);
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The container's environment from its spec, in the kubelet's order: envFrom, then env (later wins), $(VAR) expanded. */
export async function containerEnv(src: ConfigSource, f: PodFacts, spec: any, allocatable: Record<string, string>): Promise<Map<string, string>> {
  const ns = f.pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const from of spec.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const data = await source(src, from.configMapRef ? 'ConfigMap' : 'Secret', ns, ref.name, !!ref.optional);
    for (const [k, v] of data ?? []) {
      const name = `${from.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) vars.set(name, v.toString('utf8'));
    }
  }
  for (const e of spec.env ?? []) {
    if (!e?.name) continue;
    const vf = e.valueFrom;
    if (!vf) {
      vars.set(e.name, expandVars(String(e.value ?? ''), vars));
      continue;
    }
    const keyRef = vf.configMapKeyRef ?? vf.secretKeyRef;
    if (keyRef) {
      const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const data = await source(src, kind, ns, keyRef.name, !!keyRef.optional);
      const v = data?.get(keyRef.key);
      if (v !== undefined) vars.set(e.name, v.toString('utf8'));
      else if (data && !keyRef.optional) throw new ConfigError(`couldn't find key ${keyRef.key} in ${kind} ${ns}/${keyRef.name}`);
    } else if (vf.fieldRef) {
      const v = fieldRefValue(f, vf.fieldRef.fieldPath);
      if (v !== undefined) vars.set(e.name, v);
    } else if (vf.resourceFieldRef) {
      const target = vf.resourceFieldRef.containerName ? containerByName(f.pod, vf.resourceFieldRef.containerName) : spec;
      const v = resourceFieldValue(target, vf.resourceFieldRef, allocatable);
      if (v !== undefined) vars.set(e.name, v);
    }
  }
  return vars;
}

function containerByName(pod: KubeObject, name: string): any {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c: any) => c.name === name);
}

/** A path inside a volume's directory (a key's `path` may not climb out of it). */
function inside(dir: string, rel: string): string {
  const p = normalize(join(dir, rel));
  if (p !== dir && !p.startsWith(dir + '/')) throw new ConfigError(`invalid path ${JSON.stringify(rel)}: must not contain '..'`);
  return p;
}

/** A volume's files: path inside the volume → content and mode. */
type VolumeFiles = Map<string, { data: Buffer; mode: number }>;

function addKeys(files: VolumeFiles, data: Map<string, Buffer>, items: any[] | undefined, defaultMode: number | undefined, what: string): void {
  const list: { key: string; path: string; mode?: number }[] = items?.length ? items : [...data.keys()].map((k) => ({ key: k, path: k }));
  for (const it of list) {
    const v = data.get(it.key);
    if (v === undefined) throw new ConfigError(`${what} references non-existent config key: ${it.key}`);
    files.set(it.path, { data: v, mode: it.mode ?? defaultMode ?? 0o644 });
  }
}

/** Whether a volume has content of its own (configMap, secret, downwardAPI, projected) rather than being a plain directory. */
export function hasContent(v: any): boolean {
  return !!(v && !v.emptyDir && (v.configMap || v.secret || v.downwardAPI || v.projected));
}

/** The files a configMap/secret/downwardAPI/projected volume holds now. */
async function volumeFiles(src: ConfigSource, tokens: TokenCache, f: PodFacts, v: any, allocatable: Record<string, string>): Promise<VolumeFiles> {
  const ns = f.pod.metadata.namespace ?? 'default';
  const files: VolumeFiles = new Map();
  const sources = v.projected ? v.projected.sources ?? [] : [v];
  const defaultMode = v.projected?.defaultMode ?? v.configMap?.defaultMode ?? v.secret?.defaultMode ?? v.downwardAPI?.defaultMode;
  for (const s of sources) {
    if (s.configMap) {
      const data = await source(src, 'ConfigMap', ns, s.configMap.name, !!s.configMap.optional);
      if (data) addKeys(files, data, s.configMap.items, defaultMode, 'configmap');
    } else if (s.secret) {
      const data = await source(src, 'Secret', ns, s.secret.secretName ?? s.secret.name, !!s.secret.optional);
      if (data) addKeys(files, data, s.secret.items, defaultMode, 'secret');
    } else if (s.downwardAPI) {
      for (const it of s.downwardAPI.items ?? []) {
        const value = it.fieldRef
          ? fieldRefValue(f, it.fieldRef.fieldPath)
          : it.resourceFieldRef
            ? resourceFieldValue(containerByName(f.pod, it.resourceFieldRef.containerName), it.resourceFieldRef, allocatable)
            : undefined;
        if (value !== undefined) files.set(it.path, { data: Buffer.from(value), mode: it.mode ?? defaultMode ?? 0o644 });
      }
    } else if (s.serviceAccountToken) {
      const t = s.serviceAccountToken;
      const ask: TokenAsk = {
        namespace: ns,
        serviceAccount: f.pod.spec?.serviceAccountName || 'default',
        pod: { name: f.pod.metadata.name!, uid: f.pod.metadata.uid ?? '' },
        audience: t.audience || undefined,
        expirationSeconds: t.expirationSeconds ?? 3600,
      };
      // a token file is only for its owner: 0600 unless the volume says otherwise (the kubelet's rule)
      files.set(t.path ?? 'token', { data: Buffer.from(await tokens.get(src, ask)), mode: v.projected?.defaultMode ?? 0o600 });
    }
  }
  return files;
}

function contentKey(files: VolumeFiles): string {
  const h = createHash('sha256');
  for (const p of [...files.keys()].sort()) {
    const e = files.get(p)!;
    h.update(`${p}\0${e.mode}\0${e.data.length}\0`).update(e.data);
  }
  return h.digest('hex');
}

/**
 * Writes the files as the kubelet's AtomicWriter does: into a fresh `..<time>` directory, then
 * `..data` is re-pointed at it in one rename and each top-level entry is a symlink through `..data`,
 * so a reader sees the old content or the new, never a mix or nothing.
 */
async function writeVolume(dir: string, files: VolumeFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  const version = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${Math.random().toString(36).slice(2, 8)}`;
  const fresh = join(dir, version);
  await mkdir(fresh);
  for (const [p, e] of files) {
    const file = inside(fresh, p);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, e.data, { mode: e.mode });
  }
  const previous = await readlink(join(dir, '..data')).catch(() => undefined);
  await symlink(version, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  const top = new Set([...files.keys()].map((p) => normalize(p).split('/')[0]));
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') || top.has(name)) continue;
    await rm(join(dir, name), { force: true }); // a key that is gone
  }
  for (const name of top) await symlink(join('..data', name), join(dir, name)).catch(() => {}); // exists already: it follows ..data
  if (previous && previous !== version) await rm(join(dir, previous), { recursive: true, force: true });
}

/**
 * The content of the volumes a pod's containers mount, kept as the kubelet's volume manager keeps
 * it: written at the first mount, rewritten (whole, swapped in) when it changed.
 */
export class PodVolumes {
  private readonly written = new Map<string, string>();
  private readonly tokens = new TokenCache();

  constructor(
    private readonly src: ConfigSource,
    private readonly allocatable: Record<string, string>,
  ) {}

  /** Brings volume `v` up to date in `dir`; a plain directory is only created. */
  async sync(f: PodFacts, v: any, dir: string): Promise<void> {
    if (!hasContent(v)) {
      await mkdir(dir, { recursive: true }); // emptyDir (kept across restarts), and kinds we don't materialise
      return;
    }
    const files = await volumeFiles(this.src, this.tokens, f, v, this.allocatable);
    const key = contentKey(files);
    if (this.written.get(dir) === key) return;
    await writeVolume(dir, files);
    this.written.set(dir, key);
  }

  /** Every content volume of the pod again (ConfigMap/Secret updates); errors keep the old content. */
  async refresh(f: PodFacts, podDir: string): Promise<void> {
    for (const v of f.pod.spec?.volumes ?? []) {
      if (hasContent(v)) await this.sync(f, v, join(podDir, 'volumes', v.name)).catch(() => {});
    }
  }

  forget(podDir: string, podUid?: string): void {
    for (const k of this.written.keys()) if (k.startsWith(podDir + '/')) this.written.delete(k);
    if (podUid) this.tokens.forget(podUid);
  }
}

/** A mountPath and the directory it maps to. */
export type Mount = [mountPath: string, dir: string];

/** Materialises the volumes container `spec` mounts under `podDir/volumes/<name>`; its mounts, longest mountPath first. */
export async function containerMounts(volumes: PodVolumes, f: PodFacts, spec: any, podDir: string): Promise<Mount[]> {
  const byName = new Map<string, any>((f.pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  const mounts: Mount[] = [];
  for (const m of spec.volumeMounts ?? []) {
    const v = byName.get(m.name);
    const mountPath = typeof m.mountPath === 'string' ? normalize(m.mountPath).replace(/\/+$/, '') : '';
    if (!v || !mountPath) continue; // "/" can't be mapped
    const dir = join(podDir, 'volumes', m.name);
    await volumes.sync(f, v, dir);
    const target = m.subPath ? inside(dir, m.subPath) : dir;
    if (m.subPath) await mkdir(dirname(target), { recursive: true });
    mounts.push([mountPath, target]);
  }
  return mounts.sort((a, b) => b[0].length - a[0].length);
}
