// What admission decided about one write, read from its audit event's annotations the way
// Kubernetes records them (mutating webhooks: mutation.webhook.admission.k8s.io/round_R_index_I and,
// at Request level and above, patch.webhook...; ValidatingAdmissionPolicy failures in Audit/Warn
// mode: validation.policy.admission.k8s.io/validation_failure; webhooks that failed open; Pod
// Security; the authorizer's decision; and the webhooks' and policies' own `<name>/<key>`
// annotations). Pure: annotations in, lines out.

const json = (v) => {
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
};

const patchText = (p) => (Array.isArray(p) ? p.map((o) => `${o.op} ${o.path}${o.value !== undefined ? ` ${JSON.stringify(o.value)}` : ''}`).join('; ') : '');

/** [{ kind: 'mutating' | 'validating' | 'policy' | 'pod-security' | 'authorization' | 'other', text }] in annotation order. */
export function admissionOf(annotations = {}) {
  const out = [];
  for (const [k, v] of Object.entries(annotations ?? {})) {
    let m;
    if ((m = /^mutation\.webhook\.admission\.k8s\.io\/round_(\d+)_index_(\d+)$/.exec(k))) {
      const a = json(v) ?? {};
      out.push({ kind: 'mutating', text: `webhook ${a.webhook ?? '?'} (${a.configuration ?? '?'}) ${a.mutated ? 'mutated it' : 'did not change it'}${m[1] !== '0' ? ' on reinvocation' : ''}` });
    } else if (/^patch\.webhook\.admission\.k8s\.io\//.test(k)) {
      const a = json(v) ?? {};
      out.push({ kind: 'mutating', text: `webhook ${a.webhook ?? '?'} patched: ${patchText(a.patch)}` });
    } else if ((m = /^failed-open\.(mutation|validating)\.webhook\.admission\.k8s\.io\//.exec(k))) {
      out.push({ kind: m[1] === 'mutation' ? 'mutating' : 'validating', text: `webhook ${v} failed and was ignored (failurePolicy: Ignore)` });
    } else if (k === 'validation.policy.admission.k8s.io/validation_failure') {
      for (const f of json(v) ?? []) out.push({ kind: 'policy', text: `policy ${f.policy ?? '?'} (binding ${f.binding ?? '?'}) failed: ${f.message ?? ''} [${(f.validationActions ?? []).join(', ')}]` });
    } else if (k.startsWith('pod-security.kubernetes.io/')) {
      out.push({ kind: 'pod-security', text: `${k.slice('pod-security.kubernetes.io/'.length)}: ${v}` });
    } else if (k === 'authorization.k8s.io/decision') {
      const reason = annotations['authorization.k8s.io/reason'];
      out.push({ kind: 'authorization', text: `authorization: ${v}${reason ? ` (${reason})` : ''}` });
    } else if (k === 'authorization.k8s.io/reason') {
      continue;
    } else {
      out.push({ kind: 'other', text: `${k}: ${v}` });
    }
  }
  return out;
}

/** The read-back's query for an object reference (lib/api.js refs: apiVersion, plural, namespace, name). */
export function auditQuery(ref) {
  const group = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[0] : '';
  const q = new URLSearchParams({ group, resource: ref.plural, name: ref.name });
  if (ref.namespace) q.set('namespace', ref.namespace);
  return `/debug/audit/writes?${q}`;
}
