// Test fixtures: an API server on an ephemeral port with the built-in kinds, plus a few test-only
// kinds standing in for entries the registry does not have yet, and a tiny fetch-based client.
import { Registry, registry as builtin } from '../../src/api/registry.ts';
import type { ResourceType } from '../../src/api/resource.ts';
import { defineKind } from '../../src/api/meta.ts';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../../src/apiserver/index.ts';

const str = { type: 'string' as const };
const freeform = { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true as const };

/** Stand-ins used only when the built-in registry lacks the kind. */
const fallbacks: ResourceType[] = [
  defineKind({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, subresources: { status: true }, description: 'ns', fields: { spec: freeform, status: freeform } }),
  defineKind({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, subresources: { status: true }, description: 'node', fields: { spec: freeform, status: freeform } }),
  defineKind({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    shortNames: ['cm'],
    namespaced: true,
    description: 'cm',
    fields: { data: { type: 'object', additionalProperties: str }, binaryData: { type: 'object', additionalProperties: str }, immutable: { type: 'boolean' } },
  }),
  defineKind({
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    subresources: { status: true, binding: true, eviction: true, log: true },
    description: 'pod',
    fields: { spec: freeform, status: freeform },
    fieldSelectors: { 'spec.nodeName': (o) => o.spec?.nodeName ?? '', 'status.phase': (o) => o.status?.phase ?? '' },
    strategy: { specFields: ['spec'] },
  }),
  defineKind({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' } },
    description: 'deploy',
    fields: {
      spec: { type: 'object', properties: { replicas: { type: 'integer' }, selector: freeform, template: freeform, paused: { type: 'boolean' } } },
      status: freeform,
    },
    defaults: (o) => {
      o.spec ??= {};
      o.spec.replicas ??= 1;
    },
    strategy: { specFields: ['spec'] },
  }),
];

export function testRegistry(): Registry {
  const types: ResourceType[] = [...builtin.all()];
  for (const f of fallbacks) if (!builtin.byResource(f.group, f.version, f.plural)) types.push(f);
  return new Registry(types);
}

export async function startTestServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
  return startApiServer({ registry: testRegistry(), ...opts });
}

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** One request; JSON bodies are serialized; the answer parsed as JSON when it is. */
/** base: a server URL, or a fetch-alike for a path (test/helpers/kubeconfig-fetch.ts: mutual TLS through a kubeconfig). */
export async function req(base: string | ((path: string, init: { method: string; headers: Record<string, string>; body?: string | Buffer }) => Promise<Response>), method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const h: Record<string, string> = { ...headers };
  let payload: string | Buffer | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!('content-type' in Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])))) h['Content-Type'] = 'application/json';
  }
  const r = typeof base === 'string' ? await fetch(base + path, { method, headers: h, body: payload }) : await base(path, { method, headers: h, body: payload });
  const text = await r.text();
  let parsed: any = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, headers: r.headers, body: parsed, text };
}

export function configMap(name: string, data: Record<string, string> = {}, extra: Record<string, any> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data };
}

export function pod(name: string, extra: Record<string, any> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra } };
}

export function deployment(name: string, replicas = 1) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
}

import http from 'node:http';
import { eventually } from '../helpers/eventually.ts';

/** A watch stream read line by line: events accumulate in `events`; close() ends it. */
export interface WatchStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: any[];
  ended: boolean;
  /** Waits until at least n events arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<any[]>;
  waitEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

export function watch(base: string, path: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const r = http.get(base + path, { headers }, (res) => {
      const s: WatchStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        ended: false,
        waitFor: (n, t = 5000) => eventually(() => (s.events.length >= n ? s.events : undefined), `${n} watch events (have ${s.events.length})`, t),
        waitEnd: (t = 5000) => eventually(() => s.ended, 'end of watch', t).then(() => undefined),
        close: () => r.destroy(),
      };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) s.events.push(JSON.parse(line));
        }
      });
      res.on('end', () => (s.ended = true));
      res.on('close', () => (s.ended = true));
      res.on('error', () => (s.ended = true));
      resolve(s);
    });
    r.on('error', (e) => reject(e));
  });
}
