// Subresources: status, scale (autoscaling/v1 Scale), binding, eviction, log (proxied to the node's
// kubelet), and clear refusals for exec/attach/portforward.
import http from 'node:http';
import { StatusError, badRequest, conflict, invalid, invalidValue, methodNotAllowed, notFound } from '../../api/errors.ts';
import { scaleOf } from '../../api/subresources.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey } from '../../storage/interface.ts';
import { applyPatch } from '../patch/index.ts';
import { sendJson, successStatus, toJson } from '../respond.ts';
import { deleteObject, parseDeleteOptions } from './delete.ts';
import { checkName, handlePatch, handleUpdate, patchOptions, readObject, readPatch } from './handlers.ts';
import { checkBodyIdentity, timestamp, validateObject } from './objectmeta.ts';
import { getEntry } from './read.ts';
import { canonicalQuery } from '../listopts.ts';
import { isDryRun, wireJson, type Scope } from './scope.ts';
import { checkPrecondition, guaranteedUpdate, prepareUpdate } from './write.ts';

export async function handleSubresource(s: Scope): Promise<number> {
  const { rt, info } = s;
  const sub = info.subresource!;
  const has =
    (sub === 'status' && rt.subresources.status) ||
    (sub === 'scale' && rt.subresources.scale) ||
    (sub === 'binding' && rt.subresources.binding) ||
    (sub === 'eviction' && rt.subresources.eviction) ||
    (sub === 'log' && rt.subresources.log) ||
    (sub === 'finalize' && rt.group === '' && rt.plural === 'namespaces') ||
    (rt.group === '' && rt.plural === 'pods' && ['exec', 'attach', 'portforward', 'proxy'].includes(sub));
  if (!has || !info.name) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  switch (sub) {
    case 'status':
      if (info.verb === 'get') return sendEntry(s);
      if (info.verb === 'update') return handleUpdate(s, 'status');
      if (info.verb === 'patch') return handlePatch(s, 'status');
      break;
    case 'scale':
      if (info.verb === 'get') {
        sendJson(s.res, 200, toScale(s, (await getEntry(s, info.name)).object));
        return 200;
      }
      if (info.verb === 'update' || info.verb === 'patch') return handleScaleWrite(s);
      break;
    case 'binding':
      if (info.verb === 'create') return handleBinding(s, info.name);
      break;
    case 'eviction':
      if (info.verb === 'create') return handleEviction(s);
      break;
    case 'log':
      if (info.verb === 'get') return handleLog(s);
      break;
    case 'finalize':
      if (info.verb === 'update') return handleFinalize(s);
      break;
    default:
      throw badRequest(`${sub} is not supported by kubesim: containers are simulated, so there is no process to ${sub === 'portforward' ? 'forward ports to' : sub === 'proxy' ? 'proxy to' : 'attach to'}`);
  }
  throw methodNotAllowed('the server does not allow this method on the requested resource');
}

async function sendEntry(s: Scope): Promise<number> {
  const e = await getEntry(s, s.info.name!);
  sendJson(s.res, 200, wireJson(s.rt, e.object, e.json));
  return 200;
}

// ---- scale ----

function setPath(obj: any, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

const pathOf = (p: string) => p.replace(/^\./, '');

export function toScale(s: Scope, obj: KubeObject): KubeObject {
  return scaleOf(s.rt, obj) as KubeObject;
}

async function handleScaleWrite(s: Scope): Promise<number> {
  const name = s.info.name!;
  const sc = s.rt.subresources.scale!;
  const dryRun = isDryRun(s.query);
  const fromScale = async (scale: KubeObject, cur: KubeObject) => {
    checkBodyIdentity(scale, s.rt, s.info.namespace, [{ apiVersion: 'autoscaling/v1', kind: 'Scale' }]);
    checkName(scale, name);
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', name, [invalidValue('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')], 'autoscaling');
    }
    checkPrecondition(s, scale, cur);
    const obj = structuredClone(cur) as KubeObject;
    setPath(obj, pathOf(sc.specReplicasPath), replicas);
    return { object: await prepareUpdate(s, obj, cur, undefined, dryRun) };
  };
  let r;
  if (s.info.verb === 'update') {
    const scale = await readObject(s);
    r = await guaranteedUpdate(
      s,
      name,
      async (cur) => {
        if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
        return fromScale(structuredClone(scale), cur);
      },
      dryRun,
    );
  } else {
    const { type, text } = await readPatch(s);
    r = await guaranteedUpdate(
      s,
      name,
      async (cur) => {
        if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
        const patched = structuredClone(applyPatch(type, toScale(s, cur), text, s.rt, patchOptions(s, 'scale'))) as KubeObject;
        patched.metadata ??= {};
        return fromScale(patched, cur);
      },
      dryRun,
    );
  }
  sendJson(s.res, 200, toScale(s, r.object));
  return 200;
}

// ---- namespaces/finalize ----

/** PUT namespaces/<name>/finalize: only spec.finalizers changes; the last one gone completes a delete. */
async function handleFinalize(s: Scope): Promise<number> {
  const name = s.info.name!;
  const body = await readObject(s);
  checkBodyIdentity(body, s.rt, undefined);
  checkName(body, name);
  const dryRun = isDryRun(s.query);
  const r = await guaranteedUpdate(
    s,
    name,
    async (cur) => {
      if (!cur) throw notFound('namespaces', name);
      checkPrecondition(s, body, cur);
      const ns = structuredClone(cur) as KubeObject;
      const fins = body.spec?.finalizers;
      ns.spec = { ...(ns.spec ?? {}) };
      if (Array.isArray(fins) && fins.length) ns.spec.finalizers = fins;
      else delete ns.spec.finalizers;
      validateObject(ns, s.rt, cur);
      return { object: ns };
    },
    dryRun,
  );
  sendJson(s.res, 200, r.json ?? toJson(r.object));
  return 200;
}

// ---- binding ----

/** POST pods/<name>/binding (or namespaces/<ns>/bindings): sets spec.nodeName once. */
export async function handleBinding(s: Scope, podName: string | undefined): Promise<number> {
  const binding = await readObject(s);
  checkBodyIdentity(binding, s.rt, s.info.namespace, [{ apiVersion: 'v1', kind: 'Binding' }]);
  const name = podName ?? binding.metadata.name;
  if (!name) throw badRequest('Binding.metadata.name is required: the name of the pod to bind');
  checkName(binding, name);
  const target = (binding as any).target;
  if (!target?.name) throw invalid('Binding', name, [{ field: 'target.name', type: 'FieldValueRequired', detail: 'Required value' }]);
  if (target.kind && target.kind !== 'Node') throw invalid('Binding', name, [invalidValue('target.kind', target.kind, 'must be empty or Node')]);
  const dryRun = isDryRun(s.query);
  const scope: Scope = { ...s, info: { ...s.info, name } };
  await guaranteedUpdate(
    scope,
    name,
    async (cur) => {
      if (!cur) throw notFound('pods', name);
      if (cur.metadata.deletionTimestamp) throw conflict('pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (cur.spec?.nodeName) throw conflict('pods/binding', name, `pod ${name} is already assigned to node "${cur.spec.nodeName}"`);
      const pod = structuredClone(cur) as KubeObject;
      pod.spec = { ...(pod.spec ?? {}), nodeName: target.name };
      const ann = binding.metadata.annotations;
      if (ann) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...ann };
      const conditions: any[] = (pod.status ??= {}).conditions ?? [];
      const now = timestamp();
      const existing = conditions.find((c) => c.type === 'PodScheduled');
      if (existing) {
        if (existing.status !== 'True') existing.lastTransitionTime = now;
        existing.status = 'True';
        delete existing.reason;
        delete existing.message;
      } else {
        conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      }
      pod.status.conditions = conditions;
      return { object: pod };
    },
    dryRun,
  );
  sendJson(s.res, 201, { ...successStatus(), code: 201 });
  return 201;
}

// ---- eviction ----

async function handleEviction(s: Scope): Promise<number> {
  const name = s.info.name!;
  const ev = await readObject(s);
  checkBodyIdentity(ev, s.rt, s.info.namespace, [
    { apiVersion: 'policy/v1', kind: 'Eviction' },
    { apiVersion: 'policy/v1beta1', kind: 'Eviction' },
  ]);
  checkName(ev, name);
  const opts = parseDeleteOptions(s.query, (ev as any).deleteOptions);
  await deleteObject(s, name, opts);
  sendJson(s.res, 201, { ...successStatus(), code: 201 });
  return 201;
}

// ---- log ----

export const KUBELET_URL_ANNOTATION = 'kubesim.io/kubelet-url';

async function handleLog(s: Scope): Promise<number> {
  const name = s.info.name!;
  const ns = s.info.namespace!;
  const pod = (await getEntry(s, name)).object;
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  let container = s.query?.get('container') || undefined;
  if (!container) {
    if (containers.length === 1) container = containers[0];
    else throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  } else if (!containers.includes(container) && !(pod.spec?.initContainers ?? []).some((c: any) => c.name === container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} is not scheduled to a node yet: no logs are available`);
  const node = await s.core.store.get(objectKey('', 'nodes', undefined, nodeName));
  const base = node?.object.metadata.annotations?.[KUBELET_URL_ANNOTATION];
  if (!base) throw badRequest(`node "${nodeName}" has no kubelet endpoint (annotation ${KUBELET_URL_ANNOTATION}): logs of pod ${name} are not available`);
  const q = canonicalQuery(s.query, ['follow', 'previous', 'timestamps', 'insecureSkipTLSVerifyBackend'], ['sinceSeconds', 'tailLines', 'limitBytes']);
  q.set('container', container);
  const url = `${base.replace(/\/$/, '')}/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${q}`;
  return new Promise<number>((resolve, reject) => {
    const upstream = http.get(url, (up) => {
      const code = up.statusCode ?? 502;
      s.res.writeHead(code, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' });
      s.res.flushHeaders();
      const stop = () => {
        upstream.destroy();
        if (!s.res.writableEnded) s.res.end();
      };
      s.core.longRunning.add(stop);
      up.pipe(s.res);
      up.on('end', () => s.core.longRunning.delete(stop));
      s.res.on('close', () => {
        s.core.longRunning.delete(stop);
        upstream.destroy();
      });
      resolve(code);
    });
    upstream.on('error', (err) => {
      if (s.res.headersSent) {
        s.res.destroy();
        resolve(502);
      } else reject(new StatusError(503, 'ServiceUnavailable', `error trying to reach the kubelet of node "${nodeName}" at ${base}: ${err.message}`));
    });
  });
}
