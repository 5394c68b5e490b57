// Kubernetes' naming and establishing controllers as pure decisions: which of a CRD's requested
// names it may use (a name another CRD of the group, or a built-in resource of the group, already
// uses is refused), and the NamesAccepted / Established conditions that follow.
import { conditionOf, type Crd, type CrdCondition, type CrdNames } from './types.ts';

export interface UsedNames {
  /** plurals, singulars and short names in use in the group by others. */
  resources: Set<string>;
  /** kinds and list kinds in use in the group by others. */
  kinds: Set<string>;
}

/** The names others in the group use: accepted names of the other CRDs, plus built-in resources. */
export function usedNames(crd: Crd, others: Crd[], builtins: { plural: string; singular: string; shortNames: string[]; kind: string; listKind: string }[]): UsedNames {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    if (o.metadata.name === crd.metadata.name || o.spec?.group !== crd.spec.group) continue;
    const a = o.status?.acceptedNames;
    if (!a) continue;
    for (const n of [a.plural, a.singular, ...(a.shortNames ?? [])]) if (n) resources.add(n);
    for (const n of [a.kind, a.listKind]) if (n) kinds.add(n);
  }
  for (const b of builtins) {
    for (const n of [b.plural, b.singular, ...b.shortNames]) if (n) resources.add(n);
    for (const n of [b.kind, b.listKind]) if (n) kinds.add(n);
  }
  return { resources, kinds };
}

const fresh = (requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined =>
  requested === accepted || !requested || !used.has(requested) ? undefined : `"${requested}" is already in use`;

export interface NamingResult {
  acceptedNames: CrdNames;
  namesAccepted: CrdCondition;
  established: CrdCondition;
}

/** calculateNamesAndConditions, with the establishing controller's step folded in. */
export function calculateNames(crd: Crd, used: UsedNames): NamingResult {
  const req = crd.spec.names;
  const acc: Partial<CrdNames> = crd.status?.acceptedNames ?? {};
  const next: Partial<CrdNames> = { ...acc };
  let cond: CrdCondition = { type: 'NamesAccepted', status: 'Unknown' };
  const refuse = (reason: string, message: string) => (cond = { type: 'NamesAccepted', status: 'False', reason, message });
  let e = fresh(req.plural, acc.plural, used.resources);
  if (e) refuse('PluralConflict', e);
  else next.plural = req.plural;
  e = fresh(req.singular, acc.singular, used.resources);
  if (e) refuse('SingularConflict', e);
  else next.singular = req.singular;
  if (JSON.stringify(req.shortNames ?? []) !== JSON.stringify(acc.shortNames ?? [])) {
    const have = new Set(acc.shortNames ?? []);
    const errs = (req.shortNames ?? []).filter((s) => !have.has(s)).map((s) => fresh(s, '', used.resources)).filter((x): x is string => !!x);
    if (errs.length) refuse('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    else if (req.shortNames?.length) next.shortNames = req.shortNames;
    else delete next.shortNames;
  }
  e = fresh(req.kind, acc.kind, used.kinds);
  if (e) refuse('KindConflict', e);
  else next.kind = req.kind;
  e = fresh(req.listKind, acc.listKind, used.kinds);
  if (e) refuse('ListKindConflict', e);
  else next.listKind = req.listKind;
  if (req.categories?.length) next.categories = req.categories;
  else delete next.categories;
  if (cond.status === 'Unknown') cond = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  let established: CrdCondition = conditionOf(crd, 'Established') ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  if (established.status !== 'True' && cond.status === 'True') {
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  }
  return { acceptedNames: next as CrdNames, namesAccepted: cond, established };
}
