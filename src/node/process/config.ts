// What a real container sees of its pod spec: its environment (env, envFrom, ConfigMap and Secret
// keys, fieldRef, resourceFieldRef, $(VAR) expansion) and its volumes materialised as directories
// under the pod's directory (configMap, secret, emptyDir, downwardAPI, projected sources), with
// each volumeMount a (mountPath → directory) mapping the preload applies. ConfigMaps and Secrets are
// read through the pool's client when the container starts (a restart sees updates).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ResourceRef } from '../../api/core/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Client } from '../../client/index.ts';
import { expandVars, fieldRefValue, resourceFieldValue, type PodFacts } from './fields.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' };

/** The container can't be configured (CreateContainerConfigError): the kubelet's message. */
export class ConfigError extends Error {}

/** Reads ConfigMaps and Secrets (undefined when not found). */
export interface ConfigSource {
  get(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): Promise<KubeObject | undefined>;
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
  };
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

async function writeKeys(dir: string, data: Map<string, Buffer>, items: any[] | undefined, defaultMode: number | undefined, what: string): Promise<void> {
  const list: { key: string; path: string; mode?: number }[] = items?.length ? items : [...data.keys()].map((k) => ({ key: k, path: k }));
  for (const it of list) {
    const v = data.get(it.key);
    if (v === undefined) throw new ConfigError(`configmap references non-existent config key: ${it.key}`.replace('configmap', what));
    const file = inside(dir, it.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, v, { mode: it.mode ?? defaultMode ?? 0o644 });
  }
}

/** Writes one volume's content into `dir` (emptyDir content is kept; the others are rewritten). */
async function materialise(src: ConfigSource, f: PodFacts, v: any, dir: string, allocatable: Record<string, string>): Promise<void> {
  const ns = f.pod.metadata.namespace ?? 'default';
  if (v.emptyDir || (!v.configMap && !v.secret && !v.downwardAPI && !v.projected)) {
    await mkdir(dir, { recursive: true }); // emptyDir, and volume kinds we don't materialise (an empty directory)
    return;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const sources = v.projected ? v.projected.sources ?? [] : [v];
  const defaultMode = v.projected?.defaultMode ?? v.configMap?.defaultMode ?? v.secret?.defaultMode ?? v.downwardAPI?.defaultMode;
  for (const s of sources) {
    if (s.configMap) {
      const data = await source(src, 'ConfigMap', ns, s.configMap.name, !!s.configMap.optional);
      if (data) await writeKeys(dir, data, s.configMap.items, defaultMode, 'configmap');
    } else if (s.secret) {
      const name = s.secret.secretName ?? s.secret.name;
      const data = await source(src, 'Secret', ns, name, !!s.secret.optional);
      if (data) await writeKeys(dir, data, s.secret.items, defaultMode, 'secret');
    } else if (s.downwardAPI) {
      for (const it of s.downwardAPI.items ?? []) {
        const value = it.fieldRef
          ? fieldRefValue(f, it.fieldRef.fieldPath)
          : it.resourceFieldRef
            ? resourceFieldValue(containerByName(f.pod, it.resourceFieldRef.containerName), it.resourceFieldRef, allocatable)
            : undefined;
        if (value === undefined) continue;
        const file = inside(dir, it.path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, value, { mode: it.mode ?? defaultMode ?? 0o644 });
      }
    }
    // serviceAccountToken sources are not written yet.
  }
}

/** A mountPath and the directory it maps to. */
export type Mount = [mountPath: string, dir: string];

/** Materialises the volumes container `spec` mounts under `podDir/volumes/<name>`; its mounts, longest mountPath first. */
export async function containerMounts(src: ConfigSource, f: PodFacts, spec: any, podDir: string, allocatable: Record<string, string>): Promise<Mount[]> {
  const volumes = new Map<string, any>((f.pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  const mounts: Mount[] = [];
  for (const m of spec.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v || typeof m.mountPath !== 'string') continue;
    const dir = join(podDir, 'volumes', m.name);
    await materialise(src, f, v, dir, allocatable);
    const target = m.subPath ? inside(dir, m.subPath) : dir;
    if (m.subPath) await mkdir(dirname(target), { recursive: true });
    mounts.push([normalize(m.mountPath).replace(/\/+$/, '') || '/', target]);
  }
  return mounts.sort((a, b) => b[0].length - a[0].length);
}
