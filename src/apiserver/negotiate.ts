// Output negotiation from the Accept header, as Kubernetes' negotiation package does it: the first
// acceptable clause (by q, then order) decides whether a read answers the object itself, a
// meta.k8s.io Table, or metadata only (PartialObjectMetadata / PartialObjectMetadataList, what
// metadata informers and the dynamic client ask for). Bodies are JSON, but for the metrics.k8s.io
// lists, which answer protobuf when it is asked first (prefersProtobuf), as metrics-server does.
import { StatusError } from '../api/errors.ts';
import type { ResourceType } from '../api/resource.ts';
import type { KubeObject, ListMeta } from '../api/types.ts';

export type OutputAs = 'Object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

export interface OutputTarget {
  as: OutputAs;
  /** meta.k8s.io version of a transformed answer: "v1" or "v1beta1". */
  version: string;
}

const OBJECT: OutputTarget = { as: 'Object', version: 'v1' };
const SERIALIZED = new Set(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', '*/*', 'application/*']);
const META_VERSIONS = new Set(['v1', 'v1beta1']);

interface Clause {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(accept: string): Clause[] {
  const clauses: Clause[] = [];
  for (const part of accept.split(',')) {
    const [type, ...rest] = part.split(';').map((p) => p.trim());
    if (!type) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim();
      const v = p.slice(eq + 1).trim();
      if (k === 'q') q = Number(v) || 0;
      else params.set(k, v);
    }
    clauses.push({ type: type.toLowerCase(), params, q });
  }
  // stable: equal weights keep the client's order
  return clauses.map((c, i) => ({ c, i })).sort((a, b) => b.c.q - a.c.q || a.i - b.i).map((x) => x.c);
}

/** What a clause asks for, or undefined when this server cannot answer it. */
function clauseTarget(c: Clause): OutputTarget | undefined {
  if (!SERIALIZED.has(c.type) || c.q <= 0) return undefined;
  const as = c.params.get('as');
  const g = c.params.get('g');
  const v = c.params.get('v') ?? 'v1';
  if (as === undefined) return OBJECT;
  if (as === 'Table') {
    // kubesim has always answered as=Table without g/v too
    if ((g === undefined || g === 'meta.k8s.io') && META_VERSIONS.has(v) && c.type !== 'application/vnd.kubernetes.protobuf') return { as, version: v };
    return undefined;
  }
  if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && g === 'meta.k8s.io' && META_VERSIONS.has(v)) return { as, version: v };
  return undefined;
}

/** The target of a read; no Accept, or nothing this server knows, is the object itself. */
export function negotiateOutput(accept: string | undefined): OutputTarget {
  if (!accept) return OBJECT;
  for (const c of parseAccept(accept)) {
    const t = clauseTarget(c);
    if (t) return t;
  }
  return OBJECT;
}

/**
 * Whether the first acceptable clause asks for the object itself as protobuf (kubectl top's
 * `application/vnd.kubernetes.protobuf` first, then any type): the storages that can encode it (metrics.k8s.io)
 * answer so; everything else answers JSON.
 */
export function prefersProtobuf(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const c of parseAccept(accept)) {
    const t = clauseTarget(c);
    if (t) return t.as === 'Object' && c.type === 'application/vnd.kubernetes.protobuf';
  }
  return false;
}

/** `*core.ConfigMap`, `*apps.DeploymentList`: the Go type Kubernetes names in its 406 messages. */
function goType(rt: ResourceType, list: boolean): string {
  const pkg = rt.group === '' ? 'core' : rt.group.split('.')[0];
  return `*${pkg}.${list ? rt.listKind : rt.kind}`;
}

function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}

/** A single object's metadata as PartialObjectMetadata. */
export function partialObject(obj: KubeObject, version = 'v1'): object {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** A GET answered metadata-only; PartialObjectMetadataList on one object is 406, as for Kubernetes. */
export function partialOfObject(rt: ResourceType, obj: KubeObject, target: OutputTarget): object {
  if (target.as === 'PartialObjectMetadataList') throw notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (${goType(rt, false)})`);
  return partialObject(obj, target.version);
}

/** A LIST answered metadata-only; PartialObjectMetadata on a list is 406, as for Kubernetes. */
export function partialOfList(rt: ResourceType, items: KubeObject[], meta: ListMeta, target: OutputTarget): object {
  if (target.as === 'PartialObjectMetadata') throw notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (${goType(rt, true)})`);
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${target.version}`,
    metadata: meta,
    items: items.map((o) => partialObject(o, target.version)),
  };
}
