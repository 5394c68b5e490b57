// GET and LIST, served from the watch cache. Responses reuse the cache's serialized JSON.
import { notFound } from '../../api/errors.ts';
import type { KubeObject, ListMeta } from '../../api/types.ts';
import { StorageError, type StoreEntry } from '../../storage/interface.ts';
import { selectorFilter } from '../filter.ts';
import { continueExpired, encodeContinue, parseResourceVersion, planList } from '../listopts.ts';
import { JsonAnswer, sendJson } from '../respond.ts';
import { negotiateOutput, partialOfList, partialOfObject } from '../negotiate.ts';
import { toTable, type IncludeObject } from '../table.ts';
import { remoteConversion, servedEntry, toServed } from './convert.ts';
import { apiVersionOfRt, changesOnTheWayOut, keyOf, mapStorageError, prefixOf, wireBody, wireJson, wireObject, type Scope } from './scope.ts';

export function includeObjectOf(q: URLSearchParams | undefined): IncludeObject {
  const v = q?.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export async function getEntry(s: Scope, name: string): Promise<StoreEntry> {
  const rv = parseResourceVersion(s.query?.get('resourceVersion'));
  const store = s.core.store;
  // A resourceVersion newer than the cache waits for it (or fails with 504), like a consistent read.
  if (rv !== undefined && rv > store.cachedRevision()) {
    try {
      await store.listPage(prefixOf(s.rt, s.info.namespace), { minRevision: rv, limit: 1 });
    } catch (err) {
      throw mapStorageError(err, s.rt, name);
    }
  }
  const e = await store.get(keyOf(s.rt, s.info.namespace, name));
  if (!e) throw notFound(s.rt.plural, name, s.rt.group);
  return remoteConversion(s.rt) ? servedEntry(s.rt, e) : e;
}

export async function handleGet(s: Scope): Promise<number> {
  const target = negotiateOutput(s.req.headers.accept);
  const e = await getEntry(s, s.info.name!);
  if (target.as === 'Table') {
    sendJson(s.res, 200, toTable(s.rt, [wireObject(s.rt, e.object)], { includeObject: includeObjectOf(s.query), listMeta: { resourceVersion: e.object.metadata.resourceVersion } }));
  } else if (target.as !== 'Object') {
    sendJson(s.res, 200, partialOfObject(s.rt, e.object, target));
  } else {
    sendJson(s.res, 200, wireBody(s.rt, e.object, e));
  }
  return 200;
}

export async function handleList(s: Scope): Promise<number> {
  const target = negotiateOutput(s.req.headers.accept);
  const plan = planList(s.query);
  const opts = plan.opts;
  const filter = selectorFilter(s.rt, s.query);
  if (filter) opts.filter = filter;
  let page;
  try {
    page = await s.core.store.listPage(prefixOf(s.rt, s.info.namespace), opts);
  } catch (err) {
    if (plan.continueRevision !== undefined && err instanceof StorageError && err.code === 'Compacted') throw continueExpired();
    throw mapStorageError(err, s.rt, '');
  }
  // a conversion webhook gets the page's objects in one ConversionReview (metadata-only lists need none)
  const metadataOnly = target.as === 'PartialObjectMetadata' || target.as === 'PartialObjectMetadataList';
  if (remoteConversion(s.rt) && !metadataOnly) page = { ...page, items: await toServed(s.rt, page.items), entries: undefined };
  const meta: ListMeta = { resourceVersion: String(page.revision) };
  if (page.lastKey !== undefined) {
    meta.continue = encodeContinue(page.revision, page.lastKey);
    if (page.remaining !== undefined) meta.remainingItemCount = page.remaining;
  }
  if (target.as === 'Table') {
    sendJson(s.res, 200, toTable(s.rt, changesOnTheWayOut(s.rt) ? page.items.map((o) => wireObject(s.rt, o)) : page.items, { includeObject: includeObjectOf(s.query), listMeta: meta }));
    return 200;
  }
  if (target.as !== 'Object') {
    sendJson(s.res, 200, partialOfList(s.rt, page.items, meta, target));
    return 200;
  }
  const items = page.items;
  const entries = page.entries;
  const list = { kind: s.rt.listKind, apiVersion: apiVersionOfRt(s.rt), metadata: meta, items: changesOnTheWayOut(s.rt) ? items.map((o) => wireObject(s.rt, o)) : items };
  sendJson(s.res, 200, new JsonAnswer(list, () => listJson(s, meta, items, entries)));
  return 200;
}

/**
 * `{"kind":"PodList",...,"items":[...]}` assembled from the cached JSON of each item: one join
 * writes the whole text once (head and tail ride on the first and last item; a string joined to
 * them afterwards would be copied again when the answer's length is taken).
 */
function listJson(s: Scope, meta: ListMeta, items: KubeObject[], entries: StoreEntry[] | undefined): string {
  const head = `{"kind":${JSON.stringify(s.rt.listKind)},"apiVersion":${JSON.stringify(apiVersionOfRt(s.rt))},"metadata":${JSON.stringify(meta)},"items":[`;
  const n = items.length;
  if (n === 0) return `${head}]}`;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = wireJson(s.rt, items[i], entries?.[i]?.json);
  parts[0] = head + parts[0];
  parts[n - 1] += ']}';
  return parts.join(',');
}
