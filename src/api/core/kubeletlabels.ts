// The Node labels a kubelet may set on its own Node (k8s.io/kubelet/pkg/apis IsKubeletLabel) and
// the ones NodeRestriction forbids it to add, change or remove: any label in the
// node-restriction.kubernetes.io namespace, and kubernetes.io / k8s.io labels that are not kubelet
// labels. Pure; the API server's NodeRestriction admission and the node pool's tests call it.

/** The label keys a kubelet may set on its own Node. */
export const KUBELET_LABELS: ReadonlySet<string> = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);

/** Label namespaces (and their subdomains) a kubelet may set on its own Node. */
export const KUBELET_LABEL_NAMESPACES: readonly string[] = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** Only the cluster administrator sets labels here (and kubelets may not), e.g. for workload isolation. */
export const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';

/** The prefix of a label key before its `/` ('' for none). */
export function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

const inDomain = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

export function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inDomain(ns, 'kubernetes.io') || inDomain(ns, 'k8s.io');
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inDomain(ns, allowed));
}

/** The keys whose value differs between the two label maps (added, changed or removed). */
export function modifiedLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): string[] {
  const x = a ?? {};
  const y = b ?? {};
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => !(k in x) || !(k in y) || x[k] !== y[k]);
}

/** Of these label keys, those a node may not add, change or remove on its own Node; sorted, as Kubernetes lists them. */
export function forbiddenNodeLabels(keys: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    if (inDomain(labelNamespace(k), NODE_RESTRICTION_LABEL_NAMESPACE)) out.add(k);
    if (isKubernetesLabel(k) && !isKubeletLabel(k)) out.add(k);
  }
  return [...out].sort();
}
