// The dashboard's only way to the cluster: the public HTTP API, with a bearer token when it has one.
// The token comes from the login form or the URL fragment `#token=...` (a fragment never leaves the
// browser; it is moved to sessionStorage and erased from the address bar).
import { readSse } from './sse.js';

const KEY = 'kubesim-token';
let token = null;

export function initToken() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    setToken(decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  } else {
    token = sessionStorage.getItem(KEY);
  }
}

export function setToken(t) {
  token = t || null;
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

export const hasToken = () => token !== null;
export const authHeaders = () => (token ? { Authorization: `Bearer ${token}` } : {});

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** One request; answers the parsed JSON body, throws ApiError with the Status on a non-2xx. */
export async function request(method, path, body, contentType = 'application/json') {
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = contentType;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text };
  }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

/** A text GET (GET /metrics: the API server's Prometheus exposition, as the caller). */
export async function requestText(path) {
  const r = await fetch(path, { headers: { Accept: 'text/plain', ...authHeaders() } });
  const text = await r.text();
  if (!r.ok) {
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = { message: text };
    }
    throw new ApiError(r.status, body);
  }
  return text;
}

const MANAGER = 'fieldManager=kubesim-dashboard';
const withManager = (path) => `${path}${path.includes('?') ? '&' : '?'}${MANAGER}`;

export const mergePatch = (path, patch) => request('PATCH', withManager(path), patch, 'application/merge-patch+json');
export const remove = (path) => request('DELETE', path);

/** A watch as SSE with the token; onEvent(watchEvent, id). Resolves when the server ends the stream. */
export function watchSse(path, { signal, onEvent, onOpen }) {
  return readSse(path, { headers: authHeaders(), signal, onOpen, onMessage: (m) => onEvent(JSON.parse(m.data), m.id) });
}

/** The API path of one object, or of its collection (name omitted), from its apiVersion and plural. */
export function pathOf({ apiVersion, plural, namespace, name }) {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${name}` : ''}`;
}
