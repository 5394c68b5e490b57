// The CSR signing controller (pkg/controller/certificates/signer): keyed by CSR name; an approved
// request for one of its signers gets status.certificate signed by the cluster CA, or the Failed
// condition (SignerValidationFailure) when the signer refuses it.
import { CERTIFICATESIGNINGREQUESTS } from '../../api/core/refs.ts';
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { awaitsSigning, parseCSR, signCSR, signerRefusal, SIGNERS, type SigningCA } from './plan.ts';
import { deepCopy } from '../../api/core/json.ts';

export class CSRSigningController extends LoopController {
  readonly name = 'csrsigning';
  protected readonly loop: ControllerLoop;
  private readonly csrs: SharedInformer;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly ca: SigningCA,
    private readonly maxDurationSeconds?: number,
  ) {
    super();
    this.loop = new ControllerLoop({ name: this.name, sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry });
    this.csrs = ctx.factory.informerFor(CERTIFICATESIGNINGREQUESTS);
    this.csrs.addEventHandler({ onAdd: (c) => this.loop.enqueue(c.metadata.name!), onUpdate: (_o, c) => this.loop.enqueue(c.metadata.name!) });
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(undefined, name);
    if (!csr || !awaitsSigning(csr) || !SIGNERS.includes(csr.spec?.signerName)) return;
    const usages: string[] = csr.spec?.usages ?? [];
    const next = deepCopy(csr) as KubeObject;
    try {
      const pem = Buffer.from(String(csr.spec?.request ?? ''), 'base64').toString('utf8');
      const refusal = signerRefusal(csr.spec.signerName, parseCSR(pem), usages);
      if (refusal) throw new Error(refusal);
      const cert = signCSR(pem, this.ca, { usages, expirationSeconds: csr.spec?.expirationSeconds, maxDurationSeconds: this.maxDurationSeconds });
      next.status = { ...(next.status ?? {}), certificate: Buffer.from(cert).toString('base64') };
    } catch (e) {
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const conds: any[] = [...(next.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: (e as Error).message, lastUpdateTime: now, lastTransitionTime: now }];
      next.status = { ...(next.status ?? {}), conditions: conds };
    }
    await this.ctx.client
      .resource(CERTIFICATESIGNINGREQUESTS)
      .updateStatus(next)
      .catch((e) => (isStatusError(e, 404) ? undefined : Promise.reject(e)));
  }
}
