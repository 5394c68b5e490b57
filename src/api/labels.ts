// Label selectors (k8s.io/apimachinery/pkg/labels): the string form with =, ==, !=, in, notin,
// exists (key), !key, gt, lt; metav1.LabelSelector (matchLabels / matchExpressions); formatting.
import type { FieldError } from './errors.ts';
import { invalidValue, required } from './errors.ts';
import { isQualifiedName, isValidLabelValue } from './validation.ts';

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Labels = Record<string, string> | undefined | null;

/** A parsed selector: requirements ANDed. Empty = everything. */
export interface Selector {
  requirements: Requirement[];
  /** Matches nothing (a nil metav1.LabelSelector). */
  nothing?: boolean;
}

export class SelectorParseError extends Error {}

/** Everything / nothing selectors. */
export const everything = (): Selector => ({ requirements: [] });
export const nothing = (): Selector => ({ requirements: [], nothing: true });

// ---- lexer (selector.go Lexer) ----

type Tok =
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: ','; v: string }
  | { t: '('; v: string }
  | { t: ')'; v: string }
  | { t: 'eos'; v: string };

const special = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c } as Tok);
      i++;
      continue;
    }
    if (special.has(c)) {
      let j = i;
      while (j < s.length && special.has(s[j]) && !'(),'.includes(s[j])) j++;
      let op = s.slice(i, j);
      // "!=" vs "!" followed by something: split like the Go lexer (longest known operator).
      const known = ['==', '!=', '=', '!', '>', '<'];
      const m = known.find((k) => op.startsWith(k))!;
      if (!m) throw new SelectorParseError(`error:${op} is not a valid operator`);
      op = m;
      out.push({ t: 'op', v: op });
      i += op.length;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]) && !special.has(s[j])) j++;
    out.push({ t: 'id', v: s.slice(i, j) });
    i = j;
  }
  out.push({ t: 'eos', v: '' });
  return out;
}

/** Parses the string form. Throws SelectorParseError with apimachinery's wording. */
export function parseSelector(input: string): Selector {
  const toks = lex(input);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const reqs: Requirement[] = [];
  if (peek().t === 'eos') return everything();
  for (;;) {
    // key and inferred operator
    let tok = next();
    let notExists = false;
    if (tok.t === 'op' && tok.v === '!') {
      notExists = true;
      tok = next();
    }
    if (tok.t !== 'id') throw new SelectorParseError(`unable to parse requirement: found '${tok.v}', expected: identifier`);
    const key = tok.v;
    let op: Operator;
    let values: string[] = [];
    if (notExists) op = '!';
    else {
      const t = peek();
      if (t.t === ',' || t.t === 'eos') op = 'exists';
      else {
        next();
        if (t.t === 'op' && ['=', '==', '!='].includes(t.v)) op = t.v as Operator;
        else if (t.t === 'op' && t.v === '>') op = 'gt';
        else if (t.t === 'op' && t.v === '<') op = 'lt';
        else if (t.t === 'id' && (t.v === 'in' || t.v === 'notin')) op = t.v;
        else throw new SelectorParseError(`unable to parse requirement: found '${t.v}', expected: in, notin, =, ==, !=, gt, lt`);
        if (op === 'in' || op === 'notin') {
          const lp = next();
          if (lp.t !== '(') throw new SelectorParseError(`unable to parse requirement: found '${lp.v}', expected: '('`);
          values = [];
          // comma-separated values, possibly empty strings: "(a,,b)" or "()"
          let expectValue = true;
          for (;;) {
            const v = next();
            if (v.t === ')') {
              if (expectValue && values.length > 0) values.push('');
              break;
            }
            if (v.t === ',') {
              if (expectValue) values.push('');
              expectValue = true;
              continue;
            }
            if (v.t === 'id' && expectValue) {
              values.push(v.v);
              expectValue = false;
              continue;
            }
            throw new SelectorParseError(`unable to parse requirement: found '${v.v}', expected: ',', ')' or identifier`);
          }
        } else {
          const v = peek();
          if (v.t === 'id') {
            next();
            values = [v.v];
          } else if (v.t === ',' || v.t === 'eos') values = [''];
          else throw new SelectorParseError(`unable to parse requirement: found '${v.v}', expected: identifier`);
        }
      }
    }
    reqs.push(newRequirement(key, op, values));
    const sep = next();
    if (sep.t === 'eos') break;
    if (sep.t !== ',') throw new SelectorParseError(`found '${sep.v}', expected: ',' or 'end of string'`);
    if (peek().t === 'eos') throw new SelectorParseError(`found '', expected: identifier after ','`);
  }
  return { requirements: sortRequirements(reqs) };
}

/** NewRequirement with its validation (key syntax, value syntax, value counts). */
export function newRequirement(key: string, op: Operator, values: string[]): Requirement {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) throw new SelectorParseError(`unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) throw new SelectorParseError(`unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) throw new SelectorParseError(`unable to parse requirement: values: Invalid value: ${JSON.stringify(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) throw new SelectorParseError(`unable to parse requirement: values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1 || !/^-?\d+$/.test(values[0]))
        throw new SelectorParseError(`unable to parse requirement: values[0]: Invalid value: ${JSON.stringify(values[0] ?? '')}: for 'Gt', 'Lt' operators, the value must be an integer`);
      break;
  }
  if (op !== 'gt' && op !== 'lt') {
    values.forEach((v, i) => {
      const errs = isValidLabelValue(v);
      if (errs.length) throw new SelectorParseError(`unable to parse requirement: values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
    });
  }
  return { key, operator: op, values: [...new Set(values)].sort() };
}

function sortRequirements(r: Requirement[]): Requirement[] {
  return [...r].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Whether the requirement pins its key to its values (=, ==, in): an object matches only if it
 * carries the key with one of them, so an index by key=value can find every candidate.
 */
export function pinsValues(r: Requirement): boolean {
  return r.operator === 'in' || r.operator === '=' || r.operator === '==';
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = !!labels && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(v!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(v!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v!)) return false;
      const n = Number(v);
      const t = Number(r.values[0]);
      return r.operator === 'gt' ? n > t : n < t;
    }
  }
}

export function matches(sel: Selector, labels: Labels): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => requirementMatches(r, labels));
}

export function isEverything(sel: Selector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

/** Selector.String(): requirements sorted by key, comma-joined ("" for everything). */
export function selectorToString(sel: Selector): string {
  return sel.requirements.map(requirementString).join(',');
}

// ---- metav1.LabelSelector ----

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** LabelSelectorAsSelector: nil → nothing, {} → everything. Throws SelectorParseError on bad content. */
export function labelSelectorAsSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of ls.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator];
    if (!op) throw new SelectorParseError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
  }
  return { requirements: sortRequirements(reqs) };
}

/** A predicate from a metav1.LabelSelector (nil matches nothing; invalid matches nothing). */
export function labelSelectorMatcher(ls: LabelSelector | undefined | null): (labels: Labels) => boolean {
  let sel: Selector;
  try {
    sel = labelSelectorAsSelector(ls);
  } catch {
    return () => false;
  }
  return (labels) => matches(sel, labels);
}

export function labelSelectorMatches(ls: LabelSelector | undefined | null, labels: Labels): boolean {
  return labelSelectorMatcher(ls)(labels);
}

/** metav1.FormatLabelSelector: "app=web,tier in (a,b)", "<none>" when empty, "<error>" when invalid. */
export function labelSelectorToString(ls: LabelSelector | undefined | null): string {
  try {
    const s = selectorToString(labelSelectorAsSelector(ls));
    return s === '' ? '<none>' : s;
  } catch {
    return '<error>';
  }
}

/** The selector string of a LabelSelector without the "<none>" placeholder (for Scale.status.selector). */
export function labelSelectorQuery(ls: LabelSelector | undefined | null): string {
  try {
    return selectorToString(labelSelectorAsSelector(ls));
  } catch {
    return '';
  }
}

/** labels.FormatLabels: "a=b,c=d" sorted by key, "<none>" when empty. */
export function formatLabels(m: Labels): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${m![k]}`).join(',');
}

/** A selector from a plain map (Service.spec.selector): every key=value. Empty map → everything. */
export function selectorFromSet(m: Labels): Selector {
  return { requirements: sortRequirements(Object.entries(m ?? {}).map(([k, v]) => ({ key: k, operator: '=' as Operator, values: [v] }))) };
}

/** ValidateLabelSelector (metav1 validation) with field paths under `field`. */
export function validateLabelSelector(ls: unknown, field: string): FieldError[] {
  if (ls === undefined || ls === null) return [];
  if (typeof ls !== 'object' || Array.isArray(ls)) return [invalidValue(field, ls, 'must be an object')];
  const sel = ls as LabelSelector;
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalidValue(`${field}.matchLabels`, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(invalidValue(`${field}.matchLabels`, v, m));
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    const vals = e?.values ?? [];
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (vals.length === 0) errs.push({ ...required(`${f}.values`), detail: "Required value: must be specified when `operator` is 'In' or 'NotIn'" });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (vals.length > 0) errs.push({ field: `${f}.values`, type: 'FieldValueForbidden', detail: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
        break;
      default:
        errs.push(invalidValue(`${f}.operator`, e?.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e?.key ?? '')) errs.push(invalidValue(`${f}.key`, e?.key ?? '', m));
  });
  return errs;
}

/** Go-ish rendering of a LabelSelector as apimachinery prints it in "field is immutable" messages. */
export function goLabelSelector(ls: LabelSelector | undefined | null): string {
  if (!ls) return '(*v1.LabelSelector)(nil)';
  const ml = ls.matchLabels
    ? `map[string]string{${Object.keys(ls.matchLabels)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(ls.matchLabels![k])}`)
        .join(', ')}}`
    : 'map[string]string(nil)';
  const me = ls.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${ls.matchExpressions
        .map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v) => JSON.stringify(v)).join(', ')}}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`;
}
