// cel-go's ext.Strings (version 2, as Kubernetes enables it) beyond what the CEL library has:
// `'%s has %d items'.format([name, n])` (verbs %s %d %f %.Nf %e %b %o %x %X %%) and
// `strings.quote(s)`.
import type { Environment } from '@marcbachmann/cel-js';

/** A value as %s prints it (cel-go's string conversion). */
function asString(v: unknown, nested = false): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return nested ? quote(v) : v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(v)) return `[${v.map((x) => asString(x, true)).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${asString(k, true)}: ${asString(x, true)}`).join(', ')}}`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${quote(k)}: ${asString(x, true)}`).join(', ')}}`;
  return String(v);
}

const ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/** strings.quote: a double-quoted CEL string literal. */
export function quote(s: string): string {
  return `"${[...s].map((c) => ESCAPES[c] ?? c).join('')}"`;
}

function integer(v: unknown, verb: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new Error(`error during formatting: ${verb} format clause can only be used on integers, was given ${typeof v}`);
}

/** string.format(list): Go-like verbs over the arguments in order. */
export function format(pattern: string, args: unknown[]): string {
  let i = 0;
  const next = () => {
    if (i >= args.length) throw new Error(`index ${i} out of range`);
    return args[i++];
  };
  return pattern.replace(/%(?:\.(\d+))?([a-zA-Z%])/g, (_m, precision: string | undefined, verb: string) => {
    switch (verb) {
      case '%':
        return '%';
      case 's':
        return asString(next());
      case 'd':
        return String(integer(next(), 'decimal'));
      case 'b':
        return integer(next(), 'binary').toString(2);
      case 'o':
        return integer(next(), 'octal').toString(8);
      case 'x':
      case 'X': {
        const v = next();
        const hex = typeof v === 'string' ? Buffer.from(v).toString('hex') : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : integer(v, 'hexadecimal').toString(16);
        return verb === 'X' ? hex.toUpperCase() : hex;
      }
      case 'f':
      case 'e': {
        const v = next();
        const n = Number(v);
        if (typeof v !== 'number' && typeof v !== 'bigint') throw new Error(`error during formatting: fixed-point clause can only be used on doubles, was given ${typeof v}`);
        const p = precision === undefined ? 6 : Number(precision);
        if (verb === 'f') return n.toFixed(p);
        return n.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
      }
      default:
        throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
    }
  });
}

class StringsNamespace {}

export function registerStringsLibrary(e: Environment): Environment {
  return e
    .registerType('kubesim.StringsNamespace', StringsNamespace)
    .registerConstant('strings', 'kubesim.StringsNamespace', new StringsNamespace())
    .registerFunction('kubesim.StringsNamespace.quote(string): string', (_: unknown, s: string) => quote(s))
    .registerFunction('string.format(list): string', format);
}
