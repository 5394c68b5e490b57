// Built-in admission: NamespaceLifecycle. No new objects in a namespace that does not exist or is
// being terminated; the system namespaces cannot be deleted.
import { StatusError, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './index.ts';

export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    validate(a) {
      if (a.operation === 'DELETE' && a.rt.group === '' && a.rt.plural === 'namespaces' && !a.subresource && IMMORTAL_NAMESPACES.has(a.name ?? '')) {
        throw new StatusError(403, 'Forbidden', `namespaces "${a.name}" is forbidden: this namespace may not be deleted`, { name: a.name, kind: 'namespaces' });
      }
      if (a.operation !== 'CREATE' || !a.rt.namespaced || !a.namespace) return;
      return intoLiveNamespace(a);
    },
  };

  async function intoLiveNamespace(a: AdmissionAttributes): Promise<void> {
    const ns = await getNamespace(a.namespace!);
    if (!ns) throw notFound('namespaces', a.namespace!);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      const qualified = a.rt.group ? `${a.rt.plural}.${a.rt.group}` : a.rt.plural;
      throw new StatusError(
        403,
        'Forbidden',
        `${qualified} "${a.name ?? ''}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
        { name: a.name, group: a.rt.group || undefined, kind: a.rt.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }
}
