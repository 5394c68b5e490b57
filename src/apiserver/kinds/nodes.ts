// Nodes' REST storage: the proxy subresource (Kubernetes' pkg/registry/core/node/rest ProxyREST):
// nodes/NAME[:PORT]/proxy/PATH reaches PATH on the node's kubelet — the pool's kubelet server named
// by the node's kubesim.io/kubelet-url annotation, seen through its /nodes/<name> prefix.
import { StatusError, notFound } from '../../api/errors.ts';
import type { RestHooks } from '../../api/resource.ts';
import { objectKey } from '../../storage/interface.ts';
import type { Scope } from '../rest/scope.ts';
import { KUBELET_URL_ANNOTATION } from './pods.ts';
import { proxySubresource, type ProxyLocation } from './proxy.ts';

export const nodeStorage: RestHooks = {
  subresources: { proxy: proxySubresource(nodeLocation) },
};

async function nodeLocation(s: Scope, name: string): Promise<ProxyLocation> {
  const node = (await s.core.store.get(objectKey(s.rt.group, s.rt.plural, undefined, name)))?.object;
  if (!node) throw notFound('nodes', name);
  const base = node.metadata.annotations?.[KUBELET_URL_ANNOTATION];
  let url: URL | undefined;
  try {
    url = base ? new URL(base) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) throw new StatusError(503, 'ServiceUnavailable', `node "${name}" has no kubelet endpoint (annotation ${KUBELET_URL_ANNOTATION})`);
  const port = Number(url.port || 80);
  return { host: url.hostname, port, prefix: `${url.pathname.replace(/\/$/, '')}/nodes/${encodeURIComponent(name)}`, shown: `${url.hostname}:${port}` };
}
