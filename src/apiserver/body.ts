// Request bodies: bounded reading (413 past the limit, without reading further) and decoding of
// JSON, YAML and protobuf into objects. An in-process caller's JSON body may come as a value
// (src/client/lean.ts): decoded by copying it, its text made only for what reads bytes.
import type { IncomingMessage } from 'node:http';
import { parseYamlText } from './yamltext.ts';
import { StatusError, badRequest, tooLarge } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { deepCopy } from '../api/core/json.ts';
import type { JsonCopy } from '../api/core/jsoncopy.ts';
import { decodeProtobuf, PROTOBUF_CONTENT_TYPE } from './protobuf/index.ts';
import { auditRequestBody, auditsRequest } from './audit/index.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * A request whose body is already in memory (the in-process exchange, src/client/lean.ts) hands it
 * over whole: as bytes, or a JSON body sent as a value, a copy nothing changes.
 */
interface WholeBodyRequest {
  takeBody?: () => Buffer | undefined;
  takeJson?: () => JsonCopy | undefined;
}

/** A JSON body sent as a value (never changed: each decoding copies it, but a decoding once), its bytes made when something reads them. */
export class JsonBody {
  private text: Buffer | undefined;
  constructor(readonly value: unknown) {}
  bytes(): Buffer {
    return (this.text ??= Buffer.from(JSON.stringify(this.value)));
  }
}

/**
 * The resourceVersion a JSON body sent as a value pins (metadata.resourceVersion, a non-empty
 * string), else undefined; bytes are not looked at (each decoding of them parses its own object).
 */
export function pinnedVersion(body: RequestBody): string | undefined {
  if (!(body instanceof JsonBody)) return undefined;
  const v = body.value as { metadata?: { resourceVersion?: unknown } } | null;
  const rv = typeof v === 'object' && v !== null && typeof v.metadata === 'object' && v.metadata !== null ? v.metadata.resourceVersion : undefined;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

/** A body read whole: its bytes, or a JSON body sent as a value. */
export type RequestBody = Buffer | JsonBody;

/**
 * The body for decoding (decodeObject, decodeJson): a JSON body sent as a value as it is, any other
 * as readBody reads it. The same limit: 413 past maxBytes (a value's text is made to tell only when
 * its bound passes it); an audited request records the bytes.
 */
export function readDecodable(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<RequestBody> {
  const json = (req as WholeBodyRequest).takeJson?.();
  if (json === undefined) return readBody(req, maxBytes);
  const body = new JsonBody(json.value);
  if (json.maxBytes > maxBytes && body.bytes().length > maxBytes) return Promise.reject(tooLarge());
  if (auditsRequest(req)) auditRequestBody(req, body.bytes());
  return Promise.resolve(body);
}

/** Reads the whole body; rejects with 413 as soon as it passes maxBytes (the rest is not read). */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge());
  const whole = (req as WholeBodyRequest).takeBody?.();
  if (whole !== undefined) {
    if (whole.length > maxBytes) return Promise.reject(tooLarge());
    auditRequestBody(req, whole);
    return Promise.resolve(whole);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBytes) {
        done = true;
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      auditRequestBody(req, body);
      resolve(body);
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}

/** The media type of a Content-Type header without parameters, lowercased; '' when absent. */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * Decodes an object body (create/update/subresource writes). No Content-Type means JSON, as kubectl
 * sends. once: the caller decodes this body only this once and reads nothing else of it, so a JSON
 * body sent as a value is handed over itself (else each decoding gets a copy).
 */
export function decodeObject(contentType: string | undefined, given: RequestBody, once = false): KubeObject {
  const mt = mediaType(contentType);
  let value: unknown;
  const json = mt === '' || mt === 'application/json' || mt === '*/*';
  const body = given instanceof JsonBody && !json ? given.bytes() : given;
  if (body instanceof JsonBody) {
    // what JSON.parse of its text gives (the client's copy, the request's own)
    value = once ? body.value : deepCopy(body.value);
  } else if (json) {
    value = parseJson(body.toString('utf8'));
  } else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') {
    try {
      value = parseYamlText(body.toString('utf8'));
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  } else if (mt === PROTOBUF_CONTENT_TYPE) {
    value = decodeProtobuf(body);
  } else {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf; got ${mt}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`couldn't get version/kind; json parse error: the body is not a JSON object`);
  }
  const obj = value as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  else if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  return obj;
}

/** A JSON body decoded (a DeleteOptions); undefined when empty. */
export function decodeJson(body: RequestBody): unknown {
  if (body instanceof JsonBody) return deepCopy(body.value);
  if (body.length === 0) return undefined;
  return parseJson(body.toString('utf8'));
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}
