// Decoding of application/vnd.kubernetes.protobuf request bodies (kubectl create/run/autoscale ...).
// STUB: replaced by the full implementation (see issue 3).
import type { KubeObject } from '../../api/types.ts';
import { StatusError } from '../../api/errors.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Decodes a `k8s\0` + runtime.Unknown body into the JSON object it carries. Throws StatusError 400/415. */
export function decodeProtobuf(body: Buffer): KubeObject {
  void body;
  throw new StatusError(415, 'UnsupportedMediaType', 'protobuf bodies are not supported yet');
}
