// Label selectors on the client side (listers): the string form (`a=b,c!=d,e in (x,y),!f,g`)
// and the object form (metav1.LabelSelector with matchLabels / matchExpressions).

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** What listers accept: a selector string, a LabelSelector, a plain label map, or a predicate. */
export type SelectorInput = string | LabelSelector | Record<string, string> | ((labels: Record<string, string>) => boolean);

export type LabelPredicate = (labels: Record<string, string> | undefined) => boolean;

function matchReq(r: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(labels[r.key]);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Parses the string form into requirements; throws on malformed input. */
export function parseSelectorString(s: string): LabelSelectorRequirement[] {
  const reqs: LabelSelectorRequirement[] = [];
  // split on commas outside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim()).filter(Boolean);
      reqs.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = p.match(/^([^\s!=()]+)\s*!=\s*([^\s!=()]*)$/))) {
      reqs.push({ key: m[1], operator: 'NotIn', values: [m[2]] });
    } else if ((m = p.match(/^([^\s!=()]+)\s*==?\s*([^\s!=()]*)$/))) {
      reqs.push({ key: m[1], operator: 'In', values: [m[2]] });
    } else if ((m = p.match(/^!\s*([^\s!=()]+)$/))) {
      reqs.push({ key: m[1], operator: 'DoesNotExist' });
    } else if ((m = p.match(/^([^\s!=()]+)$/))) {
      reqs.push({ key: m[1], operator: 'Exists' });
    } else {
      throw new Error(`unable to parse requirement: "${p}"`);
    }
  }
  return reqs;
}

function isLabelSelector(x: object): x is LabelSelector {
  return 'matchLabels' in x || 'matchExpressions' in x;
}

/** Compiles any selector input into a predicate on an object's labels. undefined/empty = everything. */
export function labelPredicate(sel?: SelectorInput): LabelPredicate {
  if (sel === undefined) return () => true;
  if (typeof sel === 'function') return (l) => sel(l ?? {});
  let reqs: LabelSelectorRequirement[];
  if (typeof sel === 'string') reqs = parseSelectorString(sel);
  else if (isLabelSelector(sel)) {
    reqs = [
      ...Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] })),
      ...(sel.matchExpressions ?? []),
    ];
  } else reqs = Object.entries(sel).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] }));
  if (reqs.length === 0) return () => true;
  return (labels) => {
    const l = labels ?? {};
    for (const r of reqs) if (!matchReq(r, l)) return false;
    return true;
  };
}

/** The string form of a LabelSelector (for list/watch query parameters). */
export function selectorToString(sel: LabelSelector | Record<string, string>): string {
  const ls: LabelSelector = isLabelSelector(sel) ? sel : { matchLabels: sel as Record<string, string> };
  const parts = Object.entries(ls.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of ls.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
