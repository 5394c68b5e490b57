// The token controller (pkg/controller/serviceaccount/tokens_controller.go): keyed by Secret
// namespace/name; fills legacy ServiceAccount token Secrets, deletes those whose account is gone.
import { isStatusError } from '../../api/errors.ts';
import { SECRETS, SERVICEACCOUNTS } from '../../api/core/refs.ts';
import type { KubeObject } from '../../api/types.ts';
import { LEGACY_ISSUER, legacyClaims, signingKeyFromPem, signToken, type SigningKey } from '../../api/serviceaccount/token.ts';
import { deletedObject, metaNamespaceKey, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { filledSecret, tokenSecretAccount, tokenSecretAction } from './plan.ts';

export class TokensController extends LoopController {
  readonly name = 'serviceaccount-token';
  protected readonly loop: ControllerLoop;
  private readonly secrets: SharedInformer;
  private readonly serviceAccounts: SharedInformer;
  private readonly key: SigningKey;

  constructor(
    private readonly ctx: ControllerContext,
    privateKeyPem: string | Buffer,
    private readonly rootCA?: string | Buffer,
  ) {
    super();
    this.key = signingKeyFromPem(privateKeyPem);
    this.loop = new ControllerLoop({ name: this.name, sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry });
    this.secrets = ctx.factory.informerFor(SECRETS);
    this.serviceAccounts = ctx.factory.informerFor(SERVICEACCOUNTS);
    const secretChanged = (s: KubeObject) => {
      if (tokenSecretAccount(s)) this.loop.enqueue(metaNamespaceKey(s));
    };
    this.secrets.addEventHandler({ onAdd: secretChanged, onUpdate: (_o, s) => secretChanged(s) });
    // An account added, changed or deleted: its token Secrets are looked at again.
    const accountChanged = (sa: KubeObject) => {
      for (const s of this.secrets.lister.list(undefined, sa.metadata.namespace)) {
        if (tokenSecretAccount(s)?.name === sa.metadata.name) this.loop.enqueue(metaNamespaceKey(s));
      }
    };
    this.serviceAccounts.addEventHandler({ onAdd: accountChanged, onUpdate: (_o, sa) => accountChanged(sa), onDelete: (sa) => accountChanged(deletedObject(sa)) });
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const secret = this.secrets.lister.get(namespace, name);
    if (!secret) return;
    const want = tokenSecretAccount(secret);
    if (!want) return;
    const sas = this.ctx.client.resource(SERVICEACCOUNTS);
    let sa = this.serviceAccounts.lister.get(namespace, want.name);
    // Not in the cache yet: ask the API server before deleting anything.
    if (!sa) sa = await sas.get(want.name, { namespace }).catch((e) => (isStatusError(e, 404) ? undefined : Promise.reject(e)));
    const action = tokenSecretAction(secret, sa, this.rootCA);
    const secrets = this.ctx.client.resource(SECRETS);
    if (action.op === 'delete') {
      await secrets.delete(name, { namespace, preconditions: { uid: secret.metadata.uid } }).catch((e) => (isStatusError(e, 404) || isStatusError(e, 409) ? undefined : Promise.reject(e)));
      return;
    }
    if (action.op !== 'fill' || !sa) return;
    const claims = legacyClaims({ namespace, name: sa.metadata.name!, uid: sa.metadata.uid! }, name);
    const token = action.needsToken ? await signToken(this.key, LEGACY_ISSUER, claims) : undefined;
    await secrets.update(filledSecret(secret, sa, { token, rootCA: this.rootCA }), { namespace }).catch((e) => (isStatusError(e, 404) ? undefined : Promise.reject(e)));
  }
}
