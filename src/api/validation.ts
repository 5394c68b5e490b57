// Name and label syntax checks with apimachinery's exact messages (k8s.io/apimachinery/pkg/util/validation),
// and small field-error helpers used by every kind.
import type { FieldError } from './errors.ts';
import { invalidValue, required, notSupported } from './errors.ts';

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** apimachinery's RegexError: `<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')`. */
function regexError(msg: string, fmt: string, examples: string[]): string {
  let s = msg + ' (';
  if (examples.length) {
    s += 'e.g. ' + examples.map((e) => `'${e}'`).join(',  or ') + ', ';
  }
  return s + `regex used for validation is '${fmt}')`;
}

export const maxLenError = (n: number): string => `must be no more than ${n} characters`;
export const emptyError = (): string => 'must be non-empty';

/** IsDNS1123Label: error strings (empty = valid). */
export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!dns1123LabelRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        dns1123LabelFmt,
        ['my-name', '123-abc'],
      ),
    );
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!dns1123SubdomainRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        ['example.com'],
      ),
    );
  return errs;
}

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!dns1035LabelRe.test(v))
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        ['my-name', 'abc-123'],
      ),
    );
  return errs;
}

/** IsQualifiedName: label keys, annotation keys, finalizers: `[prefix/]name`. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part ' + emptyError());
    else for (const m of isDNS1123Subdomain(prefix)) errs.push('prefix part ' + m);
  } else {
    return [
      'a qualified name ' +
        regexError(
          "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
          qualifiedNameFmt,
          ['MyName', 'my.name', '123-abc'],
        ) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part ' + emptyError());
  else if (name.length > 63) errs.push('name part ' + maxLenError(63));
  if (name.length > 0 && !qualifiedNameRe.test(name))
    errs.push(
      'name part ' +
        regexError(
          "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
          qualifiedNameFmt,
          ['MyName', 'my.name', '123-abc'],
        ),
    );
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(v))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        ['MyValue', 'my_value', '12345'],
      ),
    );
  return errs;
}

/** C_IDENTIFIER for env var names is relaxed in 1.32 (any printable ASCII except '='). */
export function isEnvVarName(v: string): string[] {
  if (v.length === 0) return [emptyError()];
  if (!/^[ -<>-~]+$/.test(v)) return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
  return [];
}

/** IsValidPortNum. */
export function isValidPortNum(p: number): string[] {
  return Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(v)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (/--/.test(v)) errs.push("must not contain consecutive hyphens");
  if (v.length > 0 && !/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (/^-|-$/.test(v)) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidIP(v: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (m) return m.slice(1).every((x) => Number(x) <= 255 && String(Number(x)) === x);
  return /^[0-9a-fA-F:]+$/.test(v) && v.includes(':');
}

// ---- FieldError builders over the checks above ----

/** Each message of a check becomes one Invalid error on the field. */
export function fromChecks(field: string, value: unknown, msgs: string[]): FieldError[] {
  return msgs.map((m) => invalidValue(field, value, m));
}

export function validateRequiredString(field: string, v: unknown): FieldError[] {
  return v === undefined || v === null || v === '' ? [required(field)] : [];
}

export function validateNonnegative(field: string, v: unknown): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [invalidValue(field, v, 'must be an integer')];
  return v < 0 ? [invalidValue(field, v, 'must be greater than or equal to 0')] : [];
}

export function validatePositive(field: string, v: unknown): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [invalidValue(field, v, 'must be an integer')];
  return v <= 0 ? [invalidValue(field, v, 'must be greater than 0')] : [];
}

export function validateEnum(field: string, v: unknown, supported: string[], req = false): FieldError[] {
  if (v === undefined || v === null || v === '') return req ? [required(field)] : [];
  return supported.includes(v as string) ? [] : [notSupported(field, v, supported)];
}

/** Label map: keys qualified names, values label values (ValidateLabels). */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalidValue(field, labels, 'must be a map of string to string')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    errs.push(...fromChecks(field, k, isQualifiedName(k)));
    if (typeof v !== 'string') errs.push(invalidValue(field, v, 'must be a string'));
    else errs.push(...fromChecks(field, v, isValidLabelValue(v)));
  }
  return errs;
}

/** Annotations: keys qualified names (lowercased), total size ≤ 256 KiB. */
export function validateAnnotations(ann: unknown, field: string): FieldError[] {
  if (ann === undefined || ann === null) return [];
  if (typeof ann !== 'object' || Array.isArray(ann)) return [invalidValue(field, ann, 'must be a map of string to string')];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(ann as Record<string, unknown>)) {
    errs.push(...fromChecks(field, k, isQualifiedName(k.toLowerCase())));
    if (typeof v !== 'string') errs.push(invalidValue(field, v, 'must be a string'));
    total += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({ field, type: 'FieldValueTooLong', detail: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errs;
}

/** A name validator: (name, prefix) → messages. prefix=true for generateName checks. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** Strips the trailing '-' allowed at the end of a generateName before checking. */
const maskTrailingDash = (n: string): string => (n.length > 1 && n.endsWith('-') ? n.slice(0, -1) + 'a' : n);

export const nameIsDNSSubdomain: NameValidator = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameValidator = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameValidator = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);

/** Path segment names (ValidatePathSegmentName) for kinds with free names (events, leases... use subdomain). */
export const nameIsPathSegment: NameValidator = (n) => {
  if (n === '.' || n === '..') return [`may not be '${n}'`];
  for (const bad of ['/', '%']) if (n.includes(bad)) return [`may not contain '${bad}'`];
  return [];
};

/** Go-style rendering of map[string]string{...} as apimachinery prints values in messages. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

/** A FieldError with a pre-rendered value (e.g. Go map syntax). */
export function invalidRendered(field: string, rendered: string, why: string): FieldError {
  return { field, type: 'FieldValueInvalid', detail: `Invalid value: ${rendered}: ${why}` };
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return { field, type: 'FieldValueTooMany', detail: `Too many: ${actual}: must have at most ${max} items` };
}

export function tooLong(field: string, max: number): FieldError {
  return { field, type: 'FieldValueTooLong', detail: `Too long: may not be more than ${max} bytes` };
}

export const FIELD_IMMUTABLE = 'field is immutable';
