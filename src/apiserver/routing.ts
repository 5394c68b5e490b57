// Resolves a request path + method into what Kubernetes calls a RequestInfo: verb, group, version,
// resource, namespace, name, subresource. Pure: no registry or storage access here.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  verb: Verb;
  group: string;
  version: string;
  /** The plural resource name on the wire. */
  resource: string;
  subresource?: string;
  /**
   * What follows the subresource, undecoded, with a leading slash (`/healthz` of
   * `.../proxy/healthz`; `/` for a trailing slash): connect-style subresources pass it on.
   */
  subpath?: string;
  namespace?: string;
  name?: string;
  /** The raw path, for messages. */
  path: string;
  /** A non-resource path (/metrics, /healthz, /apis): verb is the lowercased HTTP method, resource ''. */
  nonResource?: boolean;
}

/**
 * The RequestInfo of a non-resource request (/metrics, /healthz, /apis, /version, /openapi/v2):
 * Kubernetes' RequestInfoFactory gives it the lowercased HTTP method as verb (get, post, put, patch,
 * delete, head, ...), no resource, and the URL's path.
 */
export function nonResourceRequestInfo(method: string | undefined, path: string): RequestInfo {
  return { verb: (method ?? 'GET').toLowerCase() as Verb, group: '', version: '', resource: '', path, nonResource: true };
}

/** Subresources of a namespace itself: `/api/v1/namespaces/<ns>/status` is not a resource "status". */
const namespaceSubresources = new Set(['status', 'finalize']);

/**
 * Parses `/api/v1/...` and `/apis/<g>/<v>/...` resource paths; undefined when the path is not a
 * resource path (discovery roots, /healthz, unknown prefixes). Throws nothing.
 * Returns 'method' as verb undefined when the method has no verb for this path shape.
 */
export function parseResourcePath(method: string, path: string, watchParam: boolean): RequestInfo | undefined | 'badMethod' {
  const parts = path.split('/');
  // parts[0] is '' (leading slash); drop a trailing empty segment from a trailing slash
  if (parts[parts.length - 1] === '') parts.pop();
  let i: number;
  let group: string;
  let version: string;
  if (parts[1] === 'api') {
    if (parts.length < 4) return undefined;
    group = '';
    version = parts[2];
    i = 3;
  } else if (parts[1] === 'apis') {
    if (parts.length < 5) return undefined;
    group = parts[2];
    version = parts[3];
    i = 4;
  } else {
    return undefined;
  }
  let watchPath = false;
  if (parts[i] === 'watch') {
    watchPath = true;
    i++;
  }
  // The resource's segments are parts[r..]: after the namespace of a namespaced path, or from i
  // (a namespace object itself: /namespaces/<name>[/status|/finalize]). Indexes, not slices.
  if (parts.length === i) return undefined;
  let namespace: string | undefined;
  let r = i;
  if (parts[i] === 'namespaces' && parts.length - i > 2 && !namespaceSubresources.has(parts[i + 2])) {
    namespace = parts[i + 1];
    r = i + 2;
  }
  const n = parts.length - r;
  const resource = parts[r];
  const name = n > 1 ? parts[r + 1] : undefined;
  const subresource = n > 2 ? parts[r + 2] : undefined;
  if (resource === '' || name === '' || subresource === '') return undefined;
  // Past a subresource, the rest of the path is its own (a proxy's target path): kept raw.
  let subpath: string | undefined;
  if (n > 3) subpath = path.slice(nthSlash(path, r + 3));
  else if (n === 3 && path.endsWith('/')) subpath = '/';
  const info: RequestInfo = { verb: 'get', group, version, resource, path };
  if (subpath !== undefined) info.subpath = subpath;
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) {
    // without a '%' there is nothing to decode (and nothing malformed)
    if (name.includes('%')) {
      try {
        info.name = decodeURIComponent(name);
      } catch {
        return undefined; // malformed percent-encoding: no such resource
      }
    } else info.name = name;
  }
  if (subresource !== undefined) info.subresource = subresource;

  if (watchPath) {
    if (method !== 'GET') return 'badMethod';
    info.verb = 'watch';
    return info;
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = name === undefined ? (watchParam ? 'watch' : 'list') : watchParam ? 'watch' : 'get';
      return info;
    case 'POST':
      info.verb = 'create';
      return info;
    case 'PUT':
      if (name === undefined) return 'badMethod';
      info.verb = 'update';
      return info;
    case 'PATCH':
      if (name === undefined) return 'badMethod';
      info.verb = 'patch';
      return info;
    case 'DELETE':
      info.verb = name === undefined ? 'deletecollection' : 'delete';
      return info;
    default:
      return 'badMethod';
  }
}

/** Index of the n-th '/' of path (n ≥ 1). */
function nthSlash(path: string, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) at = path.indexOf('/', at + 1);
  return at;
}

/** Splits `path?query` without the cost of `new URL`. */
export function splitUrl(url: string): { path: string; query: URLSearchParams | undefined } {
  const q = url.indexOf('?');
  if (q < 0) return { path: url, query: undefined };
  return { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}

/**
 * The `scope` label of apiserver_request_duration_seconds, as Kubernetes' CleanScope sets it: a
 * named object or a create is "resource", a collection in a namespace "namespace", else "cluster".
 */
export function requestScope(info: Pick<RequestInfo, 'verb' | 'namespace' | 'name'>): 'resource' | 'namespace' | 'cluster' {
  if (info.name !== undefined || info.verb === 'create') return 'resource';
  return info.namespace !== undefined ? 'namespace' : 'cluster';
}
