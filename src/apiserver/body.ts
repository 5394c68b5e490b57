// Request bodies: bounded reading (413 past the limit, without reading further) and decoding of
// JSON, YAML and protobuf into objects.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest, tooLarge } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { decodeProtobuf, PROTOBUF_CONTENT_TYPE } from './protobuf/index.ts';
import { auditRequestBody } from './audit/index.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** A request whose body is already in memory (the in-process exchange, src/client/lean.ts) hands it over whole. */
interface WholeBodyRequest {
  takeBody?: () => Buffer | undefined;
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

/** Decodes an object body (create/update/subresource writes). No Content-Type means JSON, as kubectl sends. */
export function decodeObject(contentType: string | undefined, body: Buffer): KubeObject {
  const mt = mediaType(contentType);
  let value: unknown;
  if (mt === '' || mt === 'application/json' || mt === '*/*') {
    value = parseJson(body.toString('utf8'));
  } else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') {
    try {
      value = parseYaml(body.toString('utf8'));
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

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}
