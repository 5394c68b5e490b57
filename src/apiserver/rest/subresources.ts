// Subresources: the generic ones every kind may have (status; scale as autoscaling/v1 Scale), and
// dispatch to a kind's own (pods/binding, namespaces/finalize, ...) from its REST storage hooks.
import { StatusError, invalid, invalidValue, notFound } from '../../api/errors.ts';
import type { ResourceType } from '../../api/resource.ts';
import { scaleOf } from '../../api/subresources.ts';
import type { KubeObject } from '../../api/types.ts';
import { applyPatch } from '../patch/index.ts';
import { sendJson } from '../respond.ts';
import { checkName, handlePatch, handleUpdate, patchOptions, readObject, readPatch } from './handlers.ts';
import { checkBodyIdentity } from './objectmeta.ts';
import { getEntry } from './read.ts';
import { canonicalQuery } from '../listopts.ts';
import { isDryRun, wireBody, type Scope } from './scope.ts';
import { handlerFor, ownSubresource, type VerbHandlers } from './storage.ts';
import { checkPrecondition, guaranteedUpdate, prepareUpdate } from './write.ts';
import { deepCopy } from '../../api/core/json.ts';

const STATUS: VerbHandlers = {
  get: sendEntry,
  update: (s) => handleUpdate(s, 'status'),
  patch: (s) => handlePatch(s, 'status'),
};

const SCALE: VerbHandlers = {
  get: async (s) => {
    sendJson(s.res, 200, toScale(s, (await getEntry(s, s.info.name!)).object));
    return 200;
  },
  update: handleScaleWrite,
  patch: handleScaleWrite,
};

/** The handlers of a subresource of this kind: its storage's own, else the generic status/scale it declares. */
function subresourceOf(rt: ResourceType, name: string): VerbHandlers | undefined {
  const own = ownSubresource(rt, name);
  if (own) return own;
  if (name === 'status' && rt.subresources.status) return STATUS;
  if (name === 'scale' && rt.subresources.scale) return SCALE;
  return undefined;
}

export async function handleSubresource(s: Scope): Promise<number> {
  const handlers = subresourceOf(s.rt, s.info.subresource!);
  const deeper = s.info.subpath !== undefined && s.info.subpath !== '/';
  // Only a connect-style subresource ('*': pods/proxy) has paths below it.
  if (!handlers || !s.info.name || (deeper && !handlers['*'])) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  return handlerFor(handlers, s.info.verb)(s);
}

async function sendEntry(s: Scope): Promise<number> {
  const e = await getEntry(s, s.info.name!);
  sendJson(s.res, 200, wireBody(s.rt, e.object, e));
  return 200;
}

// ---- scale ----

function setPath(obj: any, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

const pathOf = (p: string) => p.replace(/^\./, '');

export function toScale(s: Scope, obj: KubeObject): KubeObject {
  return scaleOf(s.rt, obj) as KubeObject;
}

async function handleScaleWrite(s: Scope): Promise<number> {
  const name = s.info.name!;
  const sc = s.rt.subresources.scale!;
  const dryRun = isDryRun(s.query);
  const fromScale = async (scale: KubeObject, cur: KubeObject) => {
    checkBodyIdentity(scale, s.rt, s.info.namespace, [{ apiVersion: 'autoscaling/v1', kind: 'Scale' }]);
    checkName(scale, name);
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', name, [invalidValue('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')], 'autoscaling');
    }
    checkPrecondition(s, scale, cur);
    const obj = deepCopy(cur) as KubeObject;
    setPath(obj, pathOf(sc.specReplicasPath), replicas);
    return { object: await prepareUpdate(s, obj, cur, undefined, dryRun) };
  };
  let r;
  if (s.info.verb === 'update') {
    const scale = await readObject(s);
    r = await guaranteedUpdate(
      s,
      name,
      async (cur) => {
        if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
        return fromScale(deepCopy(scale), cur);
      },
      dryRun,
    );
  } else {
    const { type, text } = await readPatch(s);
    r = await guaranteedUpdate(
      s,
      name,
      async (cur) => {
        if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
        const patched = deepCopy(applyPatch(type, toScale(s, cur), text, s.rt, patchOptions(s, 'scale'))) as KubeObject;
        patched.metadata ??= {};
        return fromScale(patched, cur);
      },
      dryRun,
    );
  }
  sendJson(s.res, 200, toScale(s, r.object));
  return 200;
}
