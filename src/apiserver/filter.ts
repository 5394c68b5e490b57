// labelSelector / fieldSelector query parameters → one predicate over objects, with the selector
// grammar and messages of src/api (apimachinery's labels.Parse and fields.ParseSelector).
import { badRequest } from '../api/errors.ts';
import { compileFieldSelector, FieldSelectorError } from '../api/fields.ts';
import { isEverything, labelSelectorQuery, matches, parseSelector, SelectorParseError, type LabelSelector } from '../api/labels.ts';
import type { ResourceType } from '../api/resource.ts';
import type { KubeObject } from '../api/types.ts';

export type Predicate = (obj: KubeObject) => boolean;

function asBadRequest(err: unknown): unknown {
  if (err instanceof SelectorParseError || err instanceof FieldSelectorError) return badRequest(err.message);
  return err;
}

/** The predicate of a request's selectors (and of a watched name); undefined = everything matches. */
export function selectorFilter(rt: ResourceType, q: URLSearchParams | undefined, name?: string): Predicate | undefined {
  const preds: Predicate[] = [];
  const ls = q?.get('labelSelector');
  const fs = q?.get('fieldSelector');
  try {
    if (ls) {
      const sel = parseSelector(ls);
      if (!isEverything(sel)) preds.push((o) => matches(sel, o.metadata.labels));
    }
    if (fs) preds.push(compileFieldSelector(rt, fs));
  } catch (err) {
    throw asBadRequest(err);
  }
  if (name !== undefined) preds.push((o) => o.metadata.name === name);
  if (preds.length === 0) return undefined;
  if (preds.length === 1) return preds[0];
  return (o) => {
    for (const p of preds) if (!p(o)) return false;
    return true;
  };
}
