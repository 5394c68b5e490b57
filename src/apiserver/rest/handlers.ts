// The generic REST handler: one code path per verb for every kind, driven by the registry entry.
import { OBJECT_MODIFIED, StatusError, badRequest, conflict, methodNotAllowed, notFound, unsupportedMediaType } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { decodeJson, decodeObject, pinnedVersion, readBody, readDecodable, type RequestBody } from '../body.ts';
import { applyPatch, patchResultIsOwn, patchTypeOf, trackUpdate } from '../patch/index.ts';
import { sendJson, successStatus, warningHeaderValue } from '../respond.ts';
import { checkBodyIdentity, checkUnknownFields } from './objectmeta.ts';
import { deleteObject, parseDeleteOptions } from './delete.ts';
import { handleGet, handleList } from './read.ts';
import { apiVersionOfRt, inRequestVersion, isDryRun, prefixOf, wireBody, wireObject, type Scope } from './scope.ts';
import { handleSubresource } from './subresources.ts';
import { exclusiveWrite } from './storage.ts';
import { handleWatch } from './watch.ts';
import { checkPrecondition, guaranteedUpdate, prepareCreate, prepareUpdate, storeCreate, type WriteResult } from './write.ts';
import { selectorFilter } from '../filter.ts';
import { boolParam } from '../listopts.ts';
import { deepCopy } from '../../api/core/json.ts';

export async function handleResource(s: Scope): Promise<number> {
  const { verb, subresource, name } = s.info;
  if (subresource) return handleSubresource(s);
  if (!s.rt.verbs.includes(verb)) throw methodNotAllowed('the server does not allow this method on the requested resource');
  switch (verb) {
    case 'get':
      return (s.rt.rest?.get ?? handleGet)(s);
    case 'list':
      return (s.rt.rest?.list ?? handleList)(s);
    case 'watch':
      return handleWatch(s);
    case 'create':
      if (name !== undefined) throw methodNotAllowed('the server does not allow this method on the requested resource');
      return exclusiveWrite(s, () => handleCreate(s));
    case 'update':
      return exclusiveWrite(s, () => handleUpdate(s, undefined));
    case 'patch':
      return exclusiveWrite(s, () => handlePatch(s, undefined));
    case 'delete':
      return handleDelete(s);
    case 'deletecollection':
      return handleDeleteCollection(s);
  }
}

/** Headers for fieldValidation=Warn warnings (after the resource's own, a deprecated version's). */
function warningHeaders(s: Scope, more: string[]): Record<string, string> | undefined {
  const warnings = s.rt.warning ? [s.rt.warning, ...more] : more;
  if (warnings.length === 0) return undefined;
  return { Warning: warningHeaderValue(warnings) };
}

export function sendWrite(s: Scope, code: number, r: WriteResult, warnings: string[] = []): number {
  sendJson(s.res, code, wireBody(s.rt, r.object, r.text), warningHeaders(s, warnings));
  return code;
}

export async function readObject(s: Scope): Promise<KubeObject> {
  const body = await readDecodable(s.req);
  return decodeObject(s.req.headers['content-type'], body, true);
}

async function handleCreate(s: Scope): Promise<number> {
  const obj = await readObject(s);
  checkBodyIdentity(obj, s.rt, s.info.namespace);
  const warnings = checkUnknownFields(obj, s.rt, s.query);
  const dryRun = isDryRun(s.query);
  await prepareCreate(s, obj, dryRun);
  const fieldManager = s.query?.get('fieldManager');
  if (fieldManager) trackUpdate(undefined, obj, s.rt, fieldManager, undefined, new Date(s.core.clock.now()));
  // the decoded body, changed only by this request: given up to the store
  return sendWrite(s, 201, await storeCreate(s, obj, dryRun, true), warnings);
}

export function checkName(obj: KubeObject, name: string): void {
  if (!obj.metadata.name) obj.metadata.name = name;
  else if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
}

/** An update's body decoded, its identity checked against the path. */
function decodeUpdate(s: Scope, body: RequestBody, name: string, once = false): KubeObject {
  const o = decodeObject(s.req.headers['content-type'], body, once);
  checkBodyIdentity(o, s.rt, s.info.namespace);
  checkName(o, name);
  return o;
}

/** PUT of the main resource or of /status. */
export async function handleUpdate(s: Scope, subresource: 'status' | undefined): Promise<number> {
  const name = s.info.name!;
  const body = await readDecodable(s.req);
  // The body as the update starts from it; each attempt changes its own copy (the first takes this
  // one, a retry after a lost race decodes the body again: cheaper than cloning every write). A
  // body that pins a resourceVersion is the first attempt's own (decoded once): a lost race finds
  // a newer resourceVersion, so its retry is a Conflict without reading the body again.
  const pinned = pinnedVersion(body);
  let first: KubeObject | undefined = decodeUpdate(s, body, name, pinned !== undefined);
  const warnings = checkUnknownFields(first, s.rt, s.query);
  const dryRun = isDryRun(s.query);
  const r = await guaranteedUpdate(
    s,
    name,
    async (cur) => {
      if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
      let o = first;
      first = undefined;
      // a retry: a pinned body went to the first attempt, and its resourceVersion is no longer current
      if (!o && pinned !== undefined) throw conflict(s.rt.plural, name, OBJECT_MODIFIED, s.rt.group);
      if (!o) checkUnknownFields((o = decodeUpdate(s, body, name)), s.rt, s.query);
      checkPrecondition(s, o, cur);
      const next = await prepareUpdate(s, o, cur, subresource, dryRun);
      const fieldManager = s.query?.get('fieldManager');
      if (fieldManager) trackUpdate(cur, next, s.rt, fieldManager, subresource, new Date(s.core.clock.now()));
      // this attempt's own decoding of the body (a retry decodes it again)
      return { object: next, owned: true };
    },
    dryRun,
  );
  return sendWrite(s, 200, r, warnings);
}

export async function readPatch(s: Scope): Promise<{ type: NonNullable<ReturnType<typeof patchTypeOf>>; text: string }> {
  const ct = s.req.headers['content-type'] ?? '';
  const type = patchTypeOf(ct);
  if (!type || (type === 'strategic' && s.rt.noStrategicMerge)) throw unsupportedMediaType(ct, !s.rt.noStrategicMerge);
  const text = (await readBody(s.req)).toString('utf8');
  if (type === 'apply' && !s.query?.get('fieldManager')) {
    throw new StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
    });
  }
  return { type, text };
}

export function patchOptions(s: Scope, subresource: string | undefined) {
  return { fieldManager: s.query?.get('fieldManager') ?? undefined, force: boolParam(s.query, 'force') === true, subresource, now: new Date(s.core.clock.now()) };
}

/** PATCH of the main resource or of /status. Apply creates an absent object. */
export async function handlePatch(s: Scope, subresource: 'status' | undefined): Promise<number> {
  const name = s.info.name!;
  const { type, text } = await readPatch(s);
  const dryRun = isDryRun(s.query);
  let warnings: string[] = [];
  const r = await guaranteedUpdate(
    s,
    name,
    async (cur) => {
      if (!cur && (type !== 'apply' || subresource)) throw notFound(s.rt.plural, name, s.rt.group);
      const result = applyPatch(type, cur && inRequestVersion(s.rt, cur), text, s.rt, patchOptions(s, subresource));
      const patched = (patchResultIsOwn(type) ? result : deepCopy(result)) as KubeObject;
      if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patch did not produce an object');
      patched.metadata ??= {};
      checkBodyIdentity(patched, s.rt, s.info.namespace);
      checkName(patched, name);
      warnings = checkUnknownFields(patched, s.rt, s.query);
      // the patch's result is this attempt's own (patchResultIsOwn, or a clone)
      if (!cur) {
        await prepareCreate(s, patched, dryRun);
        return { object: patched, create: true, owned: true };
      }
      checkPrecondition(s, patched, cur);
      return { object: await prepareUpdate(s, patched, cur, subresource, dryRun), owned: true };
    },
    dryRun,
  );
  return sendWrite(s, r.created ? 201 : 200, r, warnings);
}

async function readDeleteBody(s: Scope): Promise<unknown> {
  return decodeJson(await readDecodable(s.req));
}

async function handleDelete(s: Scope): Promise<number> {
  const name = s.info.name!;
  const opts = parseDeleteOptions(s.query, await readDeleteBody(s));
  const r = await deleteObject(s, name, opts);
  if (r.deleted) {
    sendJson(s.res, 200, successStatus({ name, group: s.rt.group || undefined, kind: s.rt.plural, uid: r.object.metadata.uid }));
    return 200;
  }
  return sendWrite(s, 200, r);
}

async function handleDeleteCollection(s: Scope): Promise<number> {
  const opts = parseDeleteOptions(s.query, await readDeleteBody(s));
  const filter = selectorFilter(s.rt, s.query);
  const page = await s.core.store.listPage(prefixOf(s.rt, s.info.namespace), filter ? { filter } : {});
  const items: KubeObject[] = [];
  for (const obj of page.items) {
    const one: Scope = { ...s, info: { ...s.info, namespace: obj.metadata.namespace, name: obj.metadata.name } };
    try {
      items.push(wireObject(s.rt, (await deleteObject(one, obj.metadata.name!, opts)).object));
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) continue; // deleted meanwhile
      throw err;
    }
  }
  sendJson(s.res, 200, { kind: s.rt.listKind, apiVersion: apiVersionOfRt(s.rt), metadata: {}, items });
  return 200;
}
