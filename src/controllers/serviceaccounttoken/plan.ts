// The decisions of the token controller (pkg/controller/serviceaccount/tokens_controller.go): a
// Secret of type kubernetes.io/service-account-token naming a ServiceAccount in the annotation
// kubernetes.io/service-account.name gets data.token (a legacy JWT that never expires and is valid
// while the Secret holds it), ca.crt (the root CA, when there is one) and namespace, and the
// account's uid in kubernetes.io/service-account.uid. Its account gone (or another of the same
// name, a different uid) = the Secret is deleted.
import type { KubeObject } from '../../api/types.ts';
import { SERVICE_ACCOUNT_NAME_ANNOTATION, SERVICE_ACCOUNT_TOKEN_TYPE, SERVICE_ACCOUNT_UID_ANNOTATION } from '../../api/serviceaccount/token.ts';
import { deepCopy } from '../../api/core/json.ts';

export type TokenSecretAction = { op: 'none' } | { op: 'delete' } | { op: 'fill'; needsToken: boolean };

type SecretObject = KubeObject & { type?: string; data?: Record<string, string> };

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** The ServiceAccount a token Secret is for, else undefined (another type, no annotation, being deleted). */
export function tokenSecretAccount(secret: SecretObject): { name: string; uid?: string } | undefined {
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.deletionTimestamp) return undefined;
  const name = secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
  if (!name) return undefined;
  const uid = secret.metadata.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION];
  return { name, ...(uid ? { uid } : {}) };
}

/** Pure: what the Secret needs, given its ServiceAccount (undefined = none by that name) and the root CA. */
export function tokenSecretAction(secret: SecretObject, sa: KubeObject | undefined, rootCA?: string | Buffer): TokenSecretAction {
  const want = tokenSecretAccount(secret);
  if (!want) return { op: 'none' };
  if (!sa || (want.uid && want.uid !== sa.metadata.uid)) return { op: 'delete' };
  const data = secret.data ?? {};
  const needsToken = !data.token;
  const needsCA = rootCA !== undefined && data['ca.crt'] !== b64(rootCA);
  const needsNamespace = data.namespace !== b64(secret.metadata.namespace ?? '');
  if (!needsToken && !needsCA && !needsNamespace && want.uid) return { op: 'none' };
  return { op: 'fill', needsToken };
}

/** Pure: the Secret with the token (when given), ca.crt, namespace and the account's uid filled in. */
export function filledSecret(secret: SecretObject, sa: KubeObject, o: { token?: string; rootCA?: string | Buffer }): SecretObject {
  const next = deepCopy(secret);
  const data = (next.data ??= {});
  if (o.token !== undefined) data.token = b64(o.token);
  if (o.rootCA !== undefined) data['ca.crt'] = b64(o.rootCA);
  data.namespace = b64(secret.metadata.namespace ?? '');
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [SERVICE_ACCOUNT_NAME_ANNOTATION]: sa.metadata.name!, [SERVICE_ACCOUNT_UID_ANNOTATION]: sa.metadata.uid! };
  return next;
}
