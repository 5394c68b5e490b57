// The decisions of the serviceaccounts controller (pkg/controller/serviceaccount): every Active
// namespace has the ServiceAccounts it should (just `default`; no token Secrets — Kubernetes stopped
// creating them in 1.24).
import type { KubeObject } from '../../api/types.ts';

export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

/** Namespaces that are not Active (Terminating, or being deleted) get nothing new. */
export function isActive(ns: KubeObject): boolean {
  return !ns.metadata.deletionTimestamp && (ns.status?.phase ?? 'Active') === 'Active';
}

/** The ServiceAccounts to create: each wanted name missing from an Active namespace. */
export function serviceAccountsToCreate(namespaces: KubeObject[], existing: KubeObject[], wanted: string[] = DEFAULT_SERVICE_ACCOUNTS): KubeObject[] {
  const have = new Set(existing.map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`));
  const out: KubeObject[] = [];
  for (const ns of namespaces) {
    if (!isActive(ns)) continue;
    const namespace = ns.metadata.name!;
    for (const name of wanted) {
      if (!have.has(`${namespace}/${name}`)) out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    }
  }
  return out;
}
