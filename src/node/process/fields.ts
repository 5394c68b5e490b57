// What the downward API and $(VAR) references resolve to, as the kubelet computes them: fieldRef
// paths, resourceFieldRef (limits default to the node's allocatable, values divided and rounded up),
// and the expansion of $(VAR) in env values, command and args. Pure.
import type { KubeObject } from '../../api/types.ts';
import { milliValueOrZero, valueOrZero } from '../../api/quantity.ts';

/** The pod as the node sees it: the pod object plus what the kubelet knows (IPs). */
export interface PodFacts {
  pod: KubeObject;
  podIP?: string;
  hostIP: string;
}

/** A fieldRef's value (metadata.name, metadata.labels['k'], status.podIP, ...), or undefined when unsupported. */
export function fieldRefValue(f: PodFacts, fieldPath: string): string | undefined {
  const m = f.pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? 'default';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels);
    case 'metadata.annotations':
      return formatMap(m.annotations);
    case 'spec.nodeName':
      return f.pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return f.pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return f.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return f.podIP ?? '';
    default:
      return undefined;
  }
}

/** The downward API's file format for labels/annotations: `key="value"` lines, sorted. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/**
 * A resourceFieldRef's value for container `spec`: `limits.cpu`, `requests.memory`, ... divided by
 * `divisor` (default 1) and rounded up; a limit that isn't set is the node's allocatable.
 */
export function resourceFieldValue(spec: any, ref: { resource: string; divisor?: string | number }, allocatable: Record<string, string>): string | undefined {
  const [kind, name] = ref.resource.split('.', 2) as [string, string];
  if ((kind !== 'limits' && kind !== 'requests') || !name) return undefined;
  let q: string | number | undefined = spec?.resources?.[kind]?.[name];
  if (q === undefined && kind === 'limits') q = allocatable[name];
  if (q === undefined) q = kind === 'requests' && spec?.resources?.limits?.[name] !== undefined ? spec.resources.limits[name] : 0;
  if (name === 'cpu') {
    const divisorMilli = ref.divisor !== undefined ? milliValueOrZero(ref.divisor) || 1000 : 1000;
    return String(Math.ceil(milliValueOrZero(q) / divisorMilli));
  }
  const divisor = ref.divisor !== undefined ? valueOrZero(ref.divisor) || 1 : 1;
  return String(Math.ceil(valueOrZero(q) / divisor));
}

/**
 * Kubernetes' $(VAR) expansion: `$(NAME)` becomes the variable's value when defined, `$$` is an
 * escaped `$`, anything else is kept as written.
 */
export function expandVars(s: string, vars: ReadonlyMap<string, string> | Record<string, string>): string {
  const get = (k: string) => (vars instanceof Map ? vars.get(k) : (vars as Record<string, string>)[k]);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '$' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = s.indexOf(')', i + 2);
      if (end < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, end);
      const v = get(name);
      out += v !== undefined ? v : s.slice(i, end + 1);
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}
