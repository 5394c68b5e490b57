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
  return `invalid character '${c}' looking for beginning of value`;
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
