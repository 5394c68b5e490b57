// admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`, the name falling back to the
// object's name, then its generateName, then "Unknown" (extractResourceName).
import { StatusError } from '../../api/errors.ts';
import type { AdmissionAttributes } from './index.ts';

export function admissionForbidden(a: AdmissionAttributes, why: string): StatusError {
  const m = a.object?.metadata;
  const name = a.name || m?.name || m?.generateName || 'Unknown';
  const qualified = a.rt.group ? `${a.rt.plural}.${a.rt.group}` : a.rt.plural;
  return new StatusError(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${why}`, { name, group: a.rt.group || undefined, kind: a.rt.plural });
}

/** Runs fn after every earlier fn queued under the same key has settled (one at a time per key). */
export function serialize<T>(tails: Map<string, Promise<unknown>>, key: string, fn: () => Promise<T>): Promise<T> {
  const run = (tails.get(key) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
