// JSON helpers shared by the patch types: parsing with Go-style error messages (what
// Kubernetes answers), deep equality, and a plain-object test.

/** Parses JSON; on failure throws an Error whose message reads like Go's encoding/json. */
export function parseJsonGo(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(goJsonSyntaxMessage(text, (e as Error).message));
  }
}

/** Go's message for a syntax error, e.g. `invalid character 'x' looking for beginning of value`. */
export function goJsonSyntaxMessage(text: string, jsMessage: string): string {
  if (text.trim() === '' || /end of JSON input/i.test(jsMessage)) return 'unexpected end of JSON input';
  let pos = -1;
  const m = /at position (\d+)/.exec(jsMessage);
  if (m) pos = Number(m[1]);
  else {
    const t = /Unexpected token '?(.)'?/.exec(jsMessage);
    if (t) pos = text.indexOf(t[1]);
  }
  if (pos < 0 || pos >= text.length) return 'unexpected end of JSON input';
  const c = text[pos];
  return `invalid character '${c}' ${goScanContext(text, pos)}`;
}

/** What Go's scanner was expecting at pos, from the nearest token before it. */
function goScanContext(text: string, pos: number): string {
  let i = pos - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  const prev = i >= 0 ? text[i] : '';
  const inObject = enclosing(text, i) === '{';
  if (prev === '{') return 'looking for beginning of object key string';
  if (prev === ',') return inObject ? 'looking for beginning of object key string' : 'looking for beginning of value';
  if (prev === '' || prev === ':' || prev === '[') return 'looking for beginning of value';
  if (inObject) return 'after object key:value pair';
  if (enclosing(text, i) === '[') return 'after array element';
  return 'after top-level value';
}

/** The innermost open bracket at index i (strings skipped). */
function enclosing(text: string, end: number): string {
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i <= end; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch);
    else if (ch === '}' || ch === ']') stack.pop();
  }
  return stack.at(-1) ?? '';
}

/** Go's message when a JSON value of the wrong type is decoded into a map. */
export function cannotUnmarshal(value: unknown, into: string): string {
  return `json: cannot unmarshal ${goJsonType(value)} into Go value of type ${into}`;
}

export function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v; // string, number, boolean
}

export function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => k in bo && deepEqual(ao[k], bo[k]));
}
