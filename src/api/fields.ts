// Field selectors (k8s.io/apimachinery/pkg/fields): parse "a=b,c!=d,e==f" (with \-escapes), check
// the fields against the kind's supported set, match through the kind's getters.
import type { KubeObject } from './types.ts';
import type { ResourceType } from './resource.ts';
import { fieldGetters, genericFieldSelectors } from './meta.ts';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
}

export class FieldSelectorError extends Error {}

/** Splits on unescaped commas. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      const n = s[i + 1];
      if (n === '\\' || n === ',' || n === '=') {
        out += n;
        i++;
        continue;
      }
      throw new FieldSelectorError(`invalid field selector: unrecognized escape sequence \\${n ?? ''}`);
    }
    out += s[i];
  }
  return out;
}

/** ParseSelector: terms "f=v", "f==v", "f!=v"; throws FieldSelectorError with apimachinery's wording. */
export function parseFieldSelector(input: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(input.trim())) {
    if (term === '') continue;
    let found: { i: number; op: string } | undefined;
    for (let i = 0; i < term.length && !found; i++) {
      if (term[i] === '\\') {
        i++;
        continue;
      }
      for (const op of ['!=', '==', '=']) {
        if (term.startsWith(op, i)) {
          found = { i, op };
          break;
        }
      }
    }
    if (!found) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = unescape(term.slice(0, found.i));
    const value = unescape(term.slice(found.i + found.op.length));
    reqs.push({ field, op: found.op === '!=' ? '!=' : '=', value });
  }
  return { requirements: reqs };
}

/** The message Kubernetes answers for an unsupported field (400 BadRequest). */
export function unsupportedFieldMessage(rt: Pick<ResourceType, 'fieldSelectors'>, field: string): string {
  // Kinds with their own field-label conversion say "field label not supported"; the others use
  // the default metav1 conversion's wording.
  if (Object.keys(rt.fieldSelectors).length > 0) return `field label not supported: ${field}`;
  return `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

/** Throws FieldSelectorError when a field is not supported by the kind. */
export function validateFieldSelector(rt: Pick<ResourceType, 'fieldSelectors'>, sel: FieldSelector): void {
  const getters = fieldGetters(rt);
  for (const r of sel.requirements) {
    if (!(r.field in getters)) throw new FieldSelectorError(unsupportedFieldMessage(rt, r.field));
  }
}

/** Parses and validates in one step and returns a predicate over objects. Empty string = everything. */
export function compileFieldSelector(rt: Pick<ResourceType, 'fieldSelectors'>, input: string | undefined): (o: KubeObject) => boolean {
  if (!input) return () => true;
  const sel = parseFieldSelector(input);
  validateFieldSelector(rt, sel);
  return fieldSelectorMatcher(rt, sel);
}

export function fieldSelectorMatcher(rt: Pick<ResourceType, 'fieldSelectors'>, sel: FieldSelector): (o: KubeObject) => boolean {
  const getters = fieldGetters(rt);
  const checks = sel.requirements.map((r) => {
    const get = getters[r.field] ?? genericFieldSelectors[r.field];
    return (o: KubeObject) => {
      const v = get ? (get(o) ?? '') : '';
      return r.op === '=' ? v === r.value : v !== r.value;
    };
  });
  return (o) => checks.every((c) => c(o));
}

/** The value an equality requirement asks for on one field (e.g. metadata.name for a GET-like LIST). */
export function requiredFieldValue(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.op === '=')?.value;
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.op}${escapeValue(r.value)}`).join(',');
}
