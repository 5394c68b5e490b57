// CertificateSigningRequests' REST storage (pkg/registry/certificates/certificates): the requesting
// user's identity on create, and the `approval` subresource, through which alone the Approved and
// Denied conditions change (`kubectl certificate approve|deny`). The csrsigning controller signs approved ones.
import { invalid, notFound } from '../../api/errors.ts';
import { validateCsrConditions } from '../../api/kinds/csr.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { applyPatch } from '../patch/index.ts';
import { sendJson } from '../respond.ts';
import { checkName, patchOptions, readObject, readPatch } from '../rest/handlers.ts';
import { checkBodyIdentity, timestamp } from '../rest/objectmeta.ts';
import { getEntry } from '../rest/read.ts';
import { isDryRun, wireJson, type Scope } from '../rest/scope.ts';
import { checkPrecondition, guaranteedUpdate } from '../rest/write.ts';
import { admitMutating, admitValidating } from '../pipeline/run.ts';
import { admissionAttrs } from '../rest/scope.ts';
import { deepCopy } from '../../api/core/json.ts';

export const csrStorage: RestHooks = {
  // csrStrategy.PrepareForCreate: who asked is the API server's to say, not the body's.
  beginCreate: (s, csr) => {
    const spec = (csr.spec ??= {});
    spec.username = s.user.username;
    if (s.user.uid) spec.uid = s.user.uid;
    else delete spec.uid;
    spec.groups = [...s.user.groups];
    if (s.user.extra && Object.keys(s.user.extra).length) spec.extra = deepCopy(s.user.extra);
    else delete spec.extra;
  },
  subresources: {
    approval: {
      get: async (s) => {
        const e = await getEntry(s, s.info.name!);
        sendJson(s.res, 200, wireJson(s.rt, e.object, e.json));
        return 200;
      },
      update: (s) => writeApproval(s, 'update'),
      patch: (s) => writeApproval(s, 'patch'),
    },
  },
};

/**
 * Pure: cur with the conditions of the request (csrApprovalStrategy: only conditions change), each
 * with lastUpdateTime and lastTransitionTime filled (kept from the old condition of the same type and status).
 */
export function withApproval(cur: KubeObject, conditions: any[], now: string): KubeObject {
  const next = deepCopy(cur) as KubeObject;
  const old: any[] = cur.status?.conditions ?? [];
  const conds = conditions.map((c) => {
    const out = { ...c, status: c?.status || 'True' };
    out.lastUpdateTime ||= now;
    if (!out.lastTransitionTime) {
      const prev = old.find((o) => o?.type === out.type && o?.status === out.status);
      out.lastTransitionTime = prev?.lastTransitionTime || now;
    }
    return out;
  });
  next.status = { ...(next.status ?? {}), conditions: conds };
  if (!conds.length) delete next.status.conditions;
  return next;
}

async function writeApproval(s: Scope, verb: 'update' | 'patch'): Promise<number> {
  const name = s.info.name!;
  const dryRun = isDryRun(s.query);
  const body = verb === 'update' ? await readObject(s) : undefined;
  const patch = verb === 'patch' ? await readPatch(s) : undefined;
  const r = await guaranteedUpdate(
    s,
    name,
    async (cur) => {
      if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
      const req = body ? deepCopy(body) : (deepCopy(applyPatch(patch!.type, cur, patch!.text, s.rt, patchOptions(s, 'approval'))) as KubeObject);
      req.metadata ??= {};
      checkBodyIdentity(req, s.rt, undefined);
      checkName(req, name);
      checkPrecondition(s, req, cur);
      const next = withApproval(cur, Array.isArray(req.status?.conditions) ? req.status.conditions : [], timestamp());
      await admitMutating(s.core.pipeline, admissionAttrs(s, 'UPDATE', next, cur, name, dryRun));
      const errs = validateCsrConditions(next.status?.conditions ?? [], cur.status?.conditions);
      if (errs.length) throw invalid(s.rt.kind, name, errs, s.rt.group);
      await admitValidating(s.core.pipeline, admissionAttrs(s, 'UPDATE', next, cur, name, dryRun));
      return { object: next };
    },
    dryRun,
  );
  sendJson(s.res, 200, wireJson(s.rt, r.object, r.text?.json));
  return 200;
}
