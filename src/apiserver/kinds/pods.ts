// Pods' REST storage (Kubernetes' pkg/registry/core/pod/storage): the binding subresource and the
// legacy `bindings` collection (the scheduler sets spec.nodeName once), eviction (a delete through
// the PodDisruptionBudget door), log (proxied to the node's kubelet), and clear refusals for
// exec, attach and portforward relayed to the kubelet (kinds/connect.ts), and proxy (to the pod's IP
// alias, kinds/proxy.ts).
import http from 'node:http';
import { StatusError, badRequest, conflict, invalid, invalidValue, notFound } from '../../api/errors.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey } from '../../storage/interface.ts';
import { canonicalQuery } from '../listopts.ts';
import { sendJson, successStatus } from '../respond.ts';
import { checkName, readObject } from '../rest/handlers.ts';
import { checkBodyIdentity, timestamp } from '../rest/objectmeta.ts';
import { getEntry } from '../rest/read.ts';
import { isDryRun, type Scope } from '../rest/scope.ts';
import type { VerbHandlers } from '../rest/storage.ts';
import { guaranteedUpdate } from '../rest/write.ts';
import { handleEviction } from './eviction.ts';
import { clusterLocation, proxySubresource, relay } from './proxy.ts';
import { handleExec, handlePortForward } from './connect.ts';

export const KUBELET_URL_ANNOTATION = 'kubesim.io/kubelet-url';

export const podStorage: RestHooks = {
  subresources: {
    binding: { create: (s) => handleBinding(s, s.info.name) },
    eviction: { create: handleEviction },
    log: { get: handleLog },
    exec: { '*': (s) => handleExec(s) },
    attach: { '*': (s) => handleExec(s, 'attach') },
    portforward: { '*': (s) => handlePortForward(s) },
    proxy: proxySubresource(podLocation),
  },
  collections: { bindings: { create: (s) => handleBinding(s, undefined) } },
  longRunning: ['log'],
};

// ---- proxy ----

/** pods/NAME[:PORT]/proxy: the pod's IP at PORT (a number or a container port's name; none = its first container port, else 80). */
async function podLocation(s: Scope, name: string, port: string): Promise<import('./proxy.ts').ProxyLocation> {
  const pod = (await s.core.store.get(objectKey(s.rt.group, s.rt.plural, s.info.namespace, name)))?.object;
  if (!pod) throw notFound('pods', name);
  const ports: any[] = (pod.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []);
  let n: number | undefined;
  if (port === '') n = ports[0]?.containerPort ?? 80;
  else if (/^\d+$/.test(port)) n = Number(port);
  else n = ports.find((p) => p.name === port)?.containerPort;
  if (n === undefined || n < 1 || n > 65535) throw badRequest(`invalid port: ${port}`);
  const ip = pod.status?.podIP;
  if (!ip) throw new StatusError(503, 'ServiceUnavailable', `pod "${name}" has no IP address yet`);
  return clusterLocation(ip, n);
}

// ---- binding ----

/** POST pods/<name>/binding (or namespaces/<ns>/bindings): sets spec.nodeName once. */
async function handleBinding(s: Scope, podName: string | undefined): Promise<number> {
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
      return { object: bound(cur, target.name, binding.metadata.annotations, timestamp(new Date(s.core.clock.now()))) };
    },
    dryRun,
  );
  sendJson(s.res, 201, { ...successStatus(), code: 201 });
  return 201;
}

/**
 * Pure: the pod bound to node, with the binding's annotations and PodScheduled=True. The stored
 * pod's frozen parts the binding leaves alone are shared, the rest copied (stored as is, no
 * further change).
 */
function bound(cur: KubeObject, node: string, annotations: Record<string, string> | undefined, now: string): KubeObject {
  const pod: KubeObject = { ...cur, spec: { ...(cur.spec ?? {}), nodeName: node } };
  if (annotations) pod.metadata = { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), ...annotations } };
  const conditions: any[] = [...(cur.status?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  if (i >= 0) {
    const { reason: _reason, message: _message, ...kept } = conditions[i];
    conditions[i] = { ...kept, ...(kept.status !== 'True' ? { lastTransitionTime: now } : {}), status: 'True' };
  } else {
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
  }
  pod.status = { ...(cur.status ?? {}), conditions };
  return pod;
}

// ---- log ----

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
  return proxyLog(s, url, nodeName, base);
}

/** Streams the kubelet's answer to the client; ended at shutdown with the other long-running requests. */
function proxyLog(s: Scope, url: string, nodeName: string, base: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const upstream = http.get(url, (up) => {
      const code = up.statusCode ?? 502;
      s.res.writeHead(code, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' });
      s.res.flushHeaders();
      relay(s, upstream, up);
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
