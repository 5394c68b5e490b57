// YAML request bodies (apply patches, application/yaml objects). Clients mostly send them as JSON
// text (a JSON document is a YAML document): that is parsed by JSON.parse, about 20x cheaper than
// the YAML parser, when it gives what the YAML parser would, which is always except for duplicate
// keys (the YAML parser rejects them; JSON.parse keeps the last). Anything else takes the YAML parser.
import { parse } from 'yaml';

/** The value of one YAML document; throws as the YAML parser does. */
export function parseYamlText(text: string): unknown {
  const first = firstNonSpace(text);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return parse(text);
    }
    if (!hasDuplicateKey(text)) return v;
  }
  return parse(text);
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return -1;
}

/**
 * Whether an object in valid JSON text has the same key twice (keys compared as JSON.parse
 * reads them: "a" and "\u0061" are the same). Pure.
 */
export function hasDuplicateKey(text: string): boolean {
  // one entry per open object (its keys so far) or array (null)
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      if (expectKey) {
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        const keys = open[open.length - 1]!;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
  return false;
}
