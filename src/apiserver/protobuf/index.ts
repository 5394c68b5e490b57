// Decoding of application/vnd.kubernetes.protobuf request bodies (kubectl create/autoscale/auth can-i ...):
// the `k8s\0` magic, a runtime.Unknown envelope naming apiVersion/kind, then the typed message,
// turned into the JSON object the JSON path would have produced (zero values left out like
// encoding/json's omitempty, Time → RFC 3339, IntOrString, Quantity → string, bytes → base64).
import protobuf from 'protobufjs';
import type { KubeObject } from '../../api/types.ts';
import { StatusError, badRequest } from '../../api/errors.ts';
import { K8S_PROTO, MESSAGE_BY_KIND, POINTER_FIELDS } from './k8s.proto.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** Go's embedded structs: their fields appear inline in JSON. */
const INLINE_FIELDS = new Set(['localObjectReference', 'volumeSource', 'handler']);

let root: protobuf.Root | undefined;
function types(): protobuf.Root {
  root ??= protobuf.parse(K8S_PROTO, { keepCase: true }).root;
  return root;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'low' in v) return (v as unknown as { toNumber(): number }).toNumber();
  return Number(v);
}

function timeString(t: { seconds?: unknown; nanos?: number }, micro: boolean): string | undefined {
  const s = toNumber(t.seconds ?? 0);
  const n = t.nanos ?? 0;
  if (s === 0 && n === 0) return undefined;
  const iso = new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(n / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function convertMessage(msg: Record<string, any>, type: protobuf.Type): unknown {
  switch (type.name) {
    case 'Time':
      return timeString(msg, false);
    case 'MicroTime':
      return timeString(msg, true);
    case 'IntOrString':
      return toNumber(msg.type ?? 0) === 1 ? (msg.strVal ?? '') : (msg.intVal ?? 0);
    case 'Quantity':
      return msg.string ?? '';
    case 'ExtraValue':
      return ((msg.items as string[] | undefined) ?? []).slice();
    case 'Duration': {
      const ns = toNumber(msg.duration ?? 0);
      return `${ns / 1e9}s`;
    }
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(msg, field.name)) continue;
    const value = msg[field.name];
    let converted: unknown;
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) m[k] = convertValue(v, field, true);
      converted = Object.keys(m).length ? m : undefined;
    } else if (field.repeated) {
      const arr = (value as unknown[]).map((v) => convertValue(v, field, true));
      converted = arr.length ? arr : undefined;
    } else {
      converted = convertValue(value, field, POINTER_FIELDS.has(field.name));
    }
    if (converted === undefined) continue;
    if (INLINE_FIELDS.has(field.name) && converted && typeof converted === 'object') Object.assign(out, converted);
    else out[field.name] = converted;
  }
  return out;
}

/** One value; keepZero for pointers, list elements and map values (present means set). */
function convertValue(v: unknown, field: protobuf.Field, keepZero: boolean): unknown {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return convertMessage(v as Record<string, any>, field.resolvedType);
  if (field.type === 'bytes') {
    const b = Buffer.from(v as Uint8Array);
    return keepZero || b.length ? b.toString('base64') : undefined;
  }
  if (field.type === 'int64' || field.type === 'uint64') v = toNumber(v);
  if (!keepZero && (v === '' || v === 0 || v === false)) return undefined;
  return v;
}

/** Reads the `k8s\0` + runtime.Unknown envelope: apiVersion, kind and the raw typed message. */
export function decodeEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]`);
  }
  let unknown: Record<string, any>;
  try {
    unknown = types().lookupType('k8s.Unknown').decode(body.subarray(4)) as unknown as Record<string, any>;
  } catch (e) {
    throw badRequest(`unable to decode protobuf body: ${(e as Error).message}`);
  }
  return {
    apiVersion: unknown.typeMeta?.apiVersion ?? '',
    kind: unknown.typeMeta?.kind ?? '',
    raw: Buffer.from(unknown.raw ?? []),
  };
}

/** Decodes a `k8s\0` + runtime.Unknown body into the JSON object it carries. Throws StatusError 400/415. */
export function decodeProtobuf(body: Buffer): KubeObject {
  const { apiVersion, kind, raw } = decodeEnvelope(body);
  const name = MESSAGE_BY_KIND[`${apiVersion}/${kind}`];
  if (!name) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is not supported for ${kind || 'this kind'} in ${apiVersion || 'this version'})`,
    );
  }
  const type = types().lookupType(`k8s.${name}`);
  let msg: Record<string, any>;
  try {
    msg = type.decode(raw) as unknown as Record<string, any>;
  } catch (e) {
    throw badRequest(`unable to decode ${kind} from protobuf: ${(e as Error).message}`);
  }
  const obj = convertMessage(msg, type) as KubeObject;
  return { apiVersion, kind, ...obj, metadata: obj.metadata ?? {} };
}

/** Encodes a JSON object as kubectl would send it (used by tests to round-trip; not by the server). */
export function encodeProtobuf(obj: KubeObject): Buffer {
  const name = MESSAGE_BY_KIND[`${obj.apiVersion}/${obj.kind}`];
  if (!name) throw new Error(`no protobuf message for ${obj.apiVersion}/${obj.kind}`);
  const type = types().lookupType(`k8s.${name}`);
  const raw = type.encode(type.fromObject(toWire(obj, type) as Record<string, unknown>)).finish();
  const env = types().lookupType('k8s.Unknown');
  const body = env.encode(env.fromObject({ typeMeta: { apiVersion: obj.apiVersion, kind: obj.kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, body]);
}

/** JSON → the protobufjs object shape (inverse of convertMessage for the types used in tests). */
function toWire(v: unknown, type: protobuf.Type): unknown {
  const o = v as Record<string, any>;
  switch (type.name) {
    case 'Time':
    case 'MicroTime': {
      const ms = Date.parse(String(v));
      return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
    }
    case 'IntOrString':
      return typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: v };
    case 'Quantity':
      return { string: String(v) };
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const t = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const src = INLINE_FIELDS.has(field.name) ? o : o[field.name];
    if (src === undefined) continue;
    if (INLINE_FIELDS.has(field.name)) {
      if (t && t.fieldsArray.some((f) => f.name in o)) out[field.name] = toWire(o, t);
      continue;
    }
    const one = (x: unknown) => (t ? toWire(x, t) : field.type === 'bytes' ? Buffer.from(String(x), 'base64') : x);
    if (field.map) out[field.name] = Object.fromEntries(Object.entries(src).map(([k, x]) => [k, one(x)]));
    else if (field.repeated) out[field.name] = (src as unknown[]).map(one);
    else out[field.name] = one(src);
  }
  return out;
}
