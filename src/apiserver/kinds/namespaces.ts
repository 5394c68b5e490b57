// Namespaces' REST storage (Kubernetes' pkg/registry/core/namespace/storage): the finalize
// subresource, which alone writes spec.finalizers; plus the namespaces every server starts with.
// (A Namespace's deletion rules — Terminating, spec.finalizers holding it — are its registry
// entry's `deletion` hooks in src/api/kinds/namespace.ts.)
import { randomUUID } from 'node:crypto';
import { notFound } from '../../api/errors.ts';
import type { Registry } from '../../api/registry.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, type Store } from '../../storage/interface.ts';
import { BOOTSTRAP_NAMESPACES } from '../pipeline/namespace-lifecycle.ts';
import { sendJson, toJson } from '../respond.ts';
import { checkName, readObject } from '../rest/handlers.ts';
import { checkBodyIdentity, timestamp, validateObject } from '../rest/objectmeta.ts';
import { isDryRun, type Scope } from '../rest/scope.ts';
import { checkPrecondition, guaranteedUpdate } from '../rest/write.ts';
import { deepCopy } from '../../api/core/json.ts';

export const namespaceStorage: RestHooks = {
  subresources: { finalize: { update: handleFinalize } },
};

/** PUT namespaces/<name>/finalize: only spec.finalizers changes; the last one gone completes a delete. */
async function handleFinalize(s: Scope): Promise<number> {
  const name = s.info.name!;
  const body = await readObject(s);
  checkBodyIdentity(body, s.rt, undefined);
  checkName(body, name);
  const dryRun = isDryRun(s.query);
  const r = await guaranteedUpdate(
    s,
    name,
    async (cur) => {
      if (!cur) throw notFound('namespaces', name);
      checkPrecondition(s, body, cur);
      const ns = deepCopy(cur) as KubeObject;
      const fins = body.spec?.finalizers;
      ns.spec = { ...(ns.spec ?? {}) };
      if (Array.isArray(fins) && fins.length) ns.spec.finalizers = fins;
      else delete ns.spec.finalizers;
      validateObject(ns, s.rt, cur);
      return { object: ns };
    },
    dryRun,
  );
  sendJson(s.res, 200, r.text?.json ?? toJson(r.object));
  return 200;
}

const namespaceKey = (name: string) => objectKey('', 'namespaces', undefined, name);

/** The stored Namespace of that name (for NamespaceLifecycle admission). */
export function namespaceGetter(store: Store): (name: string) => Promise<KubeObject | undefined> {
  return async (name) => (await store.get(namespaceKey(name)))?.object;
}

/** Creates default, kube-system, kube-public and kube-node-lease when absent. */
export async function bootstrapNamespaces(store: Store, registry: Registry): Promise<void> {
  const rt = registry.byResource('', 'v1', 'namespaces');
  for (const name of BOOTSTRAP_NAMESPACES) {
    const key = namespaceKey(name);
    if (await store.get(key)) continue;
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: randomUUID(), creationTimestamp: timestamp(), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    rt?.defaults(ns);
    try {
      await store.create(key, ns);
    } catch {
      // created concurrently by another replica: fine
    }
  }
}
