// x-kubernetes-validations: compiling a schema's rules when a CRD is written (errors, estimated
// cost) and evaluating them on custom resources (self, oldSelf for transition rules, message,
// messageExpression, reason, fieldPath), with Kubernetes' messages.
import { Optional, type Environment } from '@marcbachmann/cel-js';
import type { FieldError } from '../errors.ts';
import { forbidden, formatFieldError, invalidValue, required } from '../errors.ts';
import { resolveFieldPath } from '../openapi-schema/fieldpath.ts';
import { correlateField, correlateItems, deepEqual, mapListKey, type Correlated } from '../openapi-schema/ratchet.ts';
import { additionalOf, child, index, isObject, itemsOf, type JSONSchemaProps, type ValidationRule } from '../openapi-schema/types.ts';
import { baseEnvironment } from './env.ts';
import { cardinality, costErrorMessage, expressionCost, PER_CALL_LIMIT, RUNTIME_COST_BUDGET, STATIC_ESTIMATED_COST_LIMIT, STATIC_ESTIMATED_CRD_COST_LIMIT } from './cost.ts';
import { toCel } from './values.ts';

type Program = ReturnType<Environment['parse']>;

interface Compiled {
  program?: Program;
  error?: string;
  type?: string;
}

const cache = new Map<string, Compiled>();

function compile(expr: string, optionalOldSelf = false): Compiled {
  const key = optionalOldSelf ? `?${expr}` : expr;
  let c = cache.get(key);
  if (c) return c;
  const env = baseEnvironment(optionalOldSelf);
  try {
    const program = env.parse(expr);
    const checked = program.check();
    c = checked.valid ? { program, type: checked.type } : { error: describe(expr, checked.error) };
  } catch (e) {
    c = { error: describe(expr, e) };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, c);
  return c;
}

/** cel-go's issue format: `ERROR: <input>:1:9: Syntax error: ...`. */
function describe(expr: string, e: any): string {
  const start = typeof e?.range?.start === 'number' ? e.range.start : undefined;
  const summary = String(e?.summary ?? e?.message ?? e).split('\n')[0];
  if (start === undefined) return `ERROR: <input>: ${summary}`;
  const before = expr.slice(0, start);
  const line = before.split('\n').length;
  const col = start - before.lastIndexOf('\n');
  const kind = e?.name === 'ParseError' ? 'Syntax error: ' : '';
  return `ERROR: <input>:${line}:${col}: ${kind}${summary}`;
}

function usesVar(ast: unknown, name: string): boolean {
  if (!ast || typeof ast !== 'object') return false;
  if (Array.isArray(ast)) return ast.some((a) => usesVar(a, name));
  const n = ast as { op?: string; args?: unknown };
  if (n.op === 'id' && n.args === name) return true;
  return usesVar(n.args, name);
}

/** The type of the schema node as the rule's result: the type name Kubernetes shows as the value. */
const nodeType = (s: JSONSchemaProps) => (s['x-kubernetes-int-or-string'] ? 'integer' : (s.type ?? 'object'));

interface Walk {
  path: string;
  /** maxItems/maxProperties of each list/map around this node (undefined = unbounded). */
  enclosing: (number | undefined)[];
  /** Where oldSelf cannot be correlated (inside a list that is not a map list), if anywhere. */
  uncorrelatable?: string;
}

/**
 * Compiles every rule of a schema: 422 causes for bad rules, messageExpressions, oldSelf where it
 * cannot be correlated, and estimated costs over Kubernetes' limits. path = `...openAPIV3Schema`.
 */
export function checkSchemaRules(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const costs: { path: string; cost: number }[] = [];
  const visit = (s: JSONSchemaProps, w: Walk) => {
    (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
      const p = index(child(w.path, 'x-kubernetes-validations'), i);
      const c = compile(r.rule, r.optionalOldSelf === true);
      const shown = ruleValue(r);
      if (c.error) errs.push(invalidValue(child(p, 'rule'), shown, `compilation failed: ${c.error}`));
      else if (c.type !== 'bool' && c.type !== 'dyn') errs.push(invalidValue(child(p, 'rule'), shown, 'cel expression must evaluate to a bool'));
      else {
        const cost = expressionCost(c.program!.ast as any, { self: { schema: s }, oldSelf: { schema: s } }, false) * cardinality(w.enclosing, s);
        if (cost > STATIC_ESTIMATED_COST_LIMIT) errs.push(forbidden(child(p, 'rule'), costErrorMessage('estimated rule cost', cost, STATIC_ESTIMATED_COST_LIMIT)));
        costs.push({ path: child(p, 'rule'), cost });
        const old = usesVar(c.program!.ast, 'oldSelf');
        if (old && w.uncorrelatable !== undefined) errs.push(invalidValue(child(p, 'rule'), r.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${w.uncorrelatable}`));
        if (!old && r.optionalOldSelf !== undefined) errs.push(invalidValue(child(p, 'optionalOldSelf'), r.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
      }
      if (r.messageExpression?.trim()) {
        const m = compile(r.messageExpression);
        if (m.error) errs.push(invalidValue(child(p, 'messageExpression'), shown, `messageExpression compilation failed: ${m.error}`));
        else if (m.type !== 'string' && m.type !== 'dyn') errs.push(invalidValue(child(p, 'messageExpression'), shown, 'messageExpression must evaluate to a string'));
      }
    });
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      visit(prop, { ...w, path: `${child(w.path, 'properties')}[${k}]`, uncorrelatable: w.uncorrelatable ?? (s['x-kubernetes-map-type'] === 'atomic' ? w.path : undefined) });
    }
    const items = itemsOf(s);
    if (items) visit(items, { path: child(w.path, 'items'), enclosing: [...w.enclosing, s.maxItems], uncorrelatable: w.uncorrelatable ?? (s['x-kubernetes-list-type'] === 'map' ? undefined : w.path) });
    const a = additionalOf(s);
    if (a) visit(a, { path: child(w.path, 'additionalProperties'), enclosing: [...w.enclosing, s.maxProperties], uncorrelatable: w.uncorrelatable ?? (s['x-kubernetes-map-type'] === 'atomic' ? w.path : undefined) });
  };
  visit(schema, { path, enclosing: [] });
  const total = costs.reduce((a, c) => a + c.cost, 0);
  if (total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const c of [...costs].sort((a, b) => b.cost - a.cost).slice(0, 4)) {
      errs.push(forbidden(c.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    }
    errs.push(forbidden(path, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', total, STATIC_ESTIMATED_CRD_COST_LIMIT)));
  }
  return errs;
}

/** A rule as field.Invalid renders it (Go's JSON of the ValidationRule struct). */
function ruleValue(r: ValidationRule): Record<string, unknown> {
  const v: Record<string, unknown> = { rule: r.rule };
  if (r.message) v.message = r.message;
  if (r.messageExpression) v.messageExpression = r.messageExpression;
  if (r.reason) v.reason = r.reason;
  if (r.fieldPath) v.fieldPath = r.fieldPath;
  if (r.optionalOldSelf !== undefined) v.optionalOldSelf = r.optionalOldSelf;
  return v;
}

const ruleErrorString = (r: ValidationRule) => (r.message?.trim() ? r.message.trim() : r.rule.trim());

function failure(path: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(path, detail);
    case 'FieldValueRequired':
      return { ...required(path), detail: `Required value: ${detail}` };
    case 'FieldValueDuplicate':
      return { field: path, type: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(type)}` };
    default:
      return invalidValue(path, type, detail);
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Runs every rule of the schema over a custom resource (old: the stored object on an update).
 * Rules that use oldSelf run only where an old value correlates (object fields, map keys, map-list
 * items by key), unless optionalOldSelf. Errors at the resource root name the field `<nil>`.
 * Ratcheting: a failed rule that does not use oldSelf, on a value unchanged from the old object (or
 * inside the nearest correlated ancestor that is unchanged), is a warning (`warn`), not an error.
 */
export function validateRules(schema: JSONSchemaProps, obj: unknown, old: unknown, warn?: (text: string) => void): FieldError[] {
  const errs: FieldError[] = [];
  let budget = RUNTIME_COST_BUDGET;
  let stopped = false;
  const visit = (s: JSONSchemaProps, v: unknown, o: unknown, path: string, c: Correlated, parentSame: boolean) => {
    if (stopped || v === null || v === undefined) return;
    const same = c ? deepEqual(v, c.old) : parentSame;
    const rules = s['x-kubernetes-validations'];
    if (rules?.length) {
      const self = toCel(v, s);
      const oldSelf = o === undefined || o === null ? undefined : toCel(o, s);
      const type = nodeType(s);
      const at = path || '<nil>';
      for (const r of rules) {
        const c = compile(r.rule, r.optionalOldSelf === true);
        if (!c.program) {
          errs.push(invalidValue(at, type, `rule compile error: ${c.error}`));
          continue;
        }
        const usesOld = usesVar(c.program.ast, 'oldSelf');
        if (usesOld && oldSelf === undefined && !r.optionalOldSelf) continue;
        const cost = expressionCost(c.program.ast as any, { self: { schema: s, values: [v] }, oldSelf: { schema: s, values: o === undefined ? [] : [o] } }, true);
        if (cost > PER_CALL_LIMIT) {
          errs.push(invalidValue(at, type, `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(r)}`));
          stopped = true;
          return;
        }
        budget -= cost;
        if (budget < 0) {
          errs.push(invalidValue(at, type, 'validation failed due to running out of cost budget, no further validation rules will be run'));
          stopped = true;
          return;
        }
        const ctx: Record<string, unknown> = { self };
        if (usesOld) ctx.oldSelf = r.optionalOldSelf ? (oldSelf === undefined ? Optional.none() : Optional.of(oldSelf)) : oldSelf;
        let result: unknown;
        try {
          result = c.program(ctx);
        } catch (e) {
          errs.push(invalidValue(at, type, `${lowerFirst(String((e as Error).message ?? e).split('\n')[0])} evaluating rule: ${ruleErrorString(r)}`));
          continue;
        }
        if (result === true) continue;
        if (result !== false) {
          errs.push(invalidValue(at, type, `no matching overload evaluating rule: ${ruleErrorString(r)}`));
          continue;
        }
        const target = r.fieldPath ? (resolveFieldPath(s, r.fieldPath) ?? '') : '';
        const fieldPath = target ? (target.startsWith('[') ? `${path}${target}` : child(path, target)) : at;
        const e = failure(fieldPath, type, message(r, ctx), r.reason);
        if (!usesOld && same) warn?.(formatFieldError(e));
        else errs.push(e);
      }
    }
    if (Array.isArray(v)) {
      const items = itemsOf(s);
      if (!items) return;
      const oldByKey = correlateList(s, o);
      const corr = correlateItems(s, c);
      v.forEach((x, i) => visit(items, x, oldByKey?.(x), index(path, i), corr(x), same));
      return;
    }
    if (isObject(v)) {
      const oo = isObject(o) && s['x-kubernetes-map-type'] !== 'atomic' ? o : undefined;
      const addl = additionalOf(s);
      for (const k of Object.keys(v)) {
        const sub = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : addl;
        if (sub) visit(sub, v[k], oo?.[k], child(path, k), correlateField(s, c, k), same);
      }
    }
  };
  visit(schema, obj, old, '', old === undefined || old === null ? undefined : { old }, false);
  return errs;
}

/** Old items of a map list, by their keys (other lists do not correlate). */
function correlateList(s: JSONSchemaProps, old: unknown): ((x: unknown) => unknown) | undefined {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(old)) return undefined;
  const id = (x: unknown) => mapListKey(s, x) ?? '';
  const byId = new Map(old.map((x) => [id(x), x]));
  return (x) => byId.get(id(x));
}

function message(r: ValidationRule, ctx: Record<string, unknown>): string {
  if (r.messageExpression?.trim()) {
    const m = compile(r.messageExpression);
    if (m.program) {
      try {
        const text = m.program(ctx);
        if (typeof text === 'string' && text.trim() && !/\n/.test(text)) return text.trim();
      } catch {
        // falls back to message, as Kubernetes does
      }
    }
  }
  return r.message?.trim() ? r.message.trim() : `failed rule: ${ruleErrorString(r)}`;
}
