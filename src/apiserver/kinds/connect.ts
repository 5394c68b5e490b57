// pods/exec over WebSocket (kubectl 1.30+: v5.channel.k8s.io) and pods/portforward (WebSocket
// tunnelling SPDY/3.1, or SPDY/3.1; src/node/portforward/): the upgrade request is relayed as it
// came to the node's kubelet (`/nodes/<node>/exec/<ns>/<pod>/<container>?<query>`, src/node/exec.ts),
// which answers the handshake and runs the command; bytes then flow both ways untouched. A SPDY
// upgrade (older kubectl, or its fallback) goes there too, for the kubelet's reason; plain requests
// get a clear Status here.
import { connect } from 'node:net';
import { StatusError, badRequest, notFound } from '../../api/errors.ts';
import { objectKey } from '../../storage/interface.ts';
import type { Scope } from '../rest/scope.ts';
import { upgradeOf } from '../rest/upgrade.ts';
import { KUBELET_URL_ANNOTATION } from './pods.ts';

/** The header block of the relayed upgrade request (credentials dropped). Pure. */
export function relayedHead(method: string, path: string, headers: Record<string, string | string[] | undefined>, host: string): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === 'host' || k === 'authorization') continue;
    for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${x}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** pods/exec and pods/attach: relayed to the kubelet when upgraded; a plain request is refused. */
export async function handleExec(s: Scope, verb: 'exec' | 'attach' = 'exec'): Promise<number> {
  const up = upgradeOf(s.req);
  if (!up) throw badRequest(`${verb} is not supported by kubesim over plain HTTP: use kubectl 1.30+ (WebSocket, v5.channel.k8s.io) against a runtime (Node.js) container`);
  const name = s.info.name!;
  const pod = (await s.core.store.get(objectKey(s.rt.group, s.rt.plural, s.info.namespace, name)))?.object;
  if (!pod) throw notFound('pods', name);
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  let container = s.query?.get('container') || undefined;
  if (!container) {
    if (containers.length === 1) container = containers[0];
    else throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  } else if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return relayUpgrade(s, up, nodeName, `/${verb}/${encodeURIComponent(s.info.namespace!)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`);
}

/** pods/portforward: relayed to the kubelet when upgraded (WebSocket tunnelling SPDY, or SPDY); a plain request is refused. */
export async function handlePortForward(s: Scope): Promise<number> {
  const up = upgradeOf(s.req);
  if (!up) throw badRequest('Upgrade request required: port-forward speaks WebSocket (SPDY/3.1+portforward.k8s.io, kubectl 1.30+) or SPDY/3.1');
  const name = s.info.name!;
  const pod = (await s.core.store.get(objectKey(s.rt.group, s.rt.plural, s.info.namespace, name)))?.object;
  if (!pod) throw notFound('pods', name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return relayUpgrade(s, up, nodeName, `/portforward/${encodeURIComponent(s.info.namespace!)}/${encodeURIComponent(name)}`);
}

/** The upgrade request relayed as it came to node's kubelet at `/nodes/<node><path>?<query>`; then bytes flow both ways. */
async function relayUpgrade(s: Scope, up: { socket: import('node:stream').Duplex; head: Buffer }, nodeName: string, kubeletPath: string): Promise<number> {
  const node = await s.core.store.get(objectKey('', 'nodes', undefined, nodeName));
  const base = node?.object.metadata.annotations?.[KUBELET_URL_ANNOTATION];
  let url: URL;
  try {
    url = new URL(base ?? '');
  } catch {
    throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" has no kubelet endpoint (annotation ${KUBELET_URL_ANNOTATION})`);
  }
  const q = s.req.url?.includes('?') ? s.req.url.slice(s.req.url.indexOf('?')) : '';
  const path = `/nodes/${encodeURIComponent(nodeName)}${kubeletPath}${q}`;
  const port = Number(url.port || 80);
  // Any upgrade (WebSocket, or SPDY from older kubectl) goes on: the kubelet knows whether the pod can serve it.

  return new Promise<number>((resolve, reject) => {
    const kubelet = connect({ host: url.hostname, port }, () => {
      kubelet.write(relayedHead(s.req.method ?? 'GET', path, s.req.headers, `${url.hostname}:${port}`));
      if (up.head.length) kubelet.write(up.head);
      kubelet.pipe(up.socket);
      up.socket.pipe(kubelet);
      const stop = () => {
        kubelet.destroy();
        up.socket.destroy();
      };
      s.core.longRunning.add(stop);
      const closed = () => {
        s.core.longRunning.delete(stop);
        stop();
      };
      kubelet.on('close', closed);
      up.socket.on('close', closed);
      resolve(101);
    });
    kubelet.once('error', (err) => reject(new StatusError(503, 'ServiceUnavailable', `error trying to reach the kubelet of node "${nodeName}": ${err.message}`)));
  });
}
