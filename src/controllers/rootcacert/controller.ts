// The root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher): keyed by namespace;
// creates kube-root-ca.crt, and puts it back when it is deleted or changed.
import { isStatusError } from '../../api/errors.ts';
import { CONFIGMAPS, NAMESPACES } from '../../api/core/refs.ts';
import { deletedObject, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, LoopController } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import { ROOT_CA_CONFIGMAP, rootCAAction } from './plan.ts';

export class RootCACertPublisher extends LoopController {
  readonly name = 'root-ca-cert-publisher';
  protected readonly loop: ControllerLoop;
  private readonly namespaces: SharedInformer;
  private readonly configMaps: SharedInformer;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly caPem: string,
  ) {
    super();
    this.loop = new ControllerLoop({ name: this.name, sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry });
    this.namespaces = ctx.factory.informerFor(NAMESPACES);
    this.configMaps = ctx.factory.informerFor(CONFIGMAPS);
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.loop.enqueue(ns.metadata.name!),
      onUpdate: (_o, ns) => this.loop.enqueue(ns.metadata.name!),
    });
    const mine = (cm: { metadata: { name?: string; namespace?: string } }) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) this.loop.enqueue(cm.metadata.namespace!);
    };
    this.configMaps.addEventHandler({ onUpdate: (_o, cm) => mine(cm), onDelete: (cm) => mine(deletedObject(cm)) });
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, namespace);
    const a = rootCAAction(ns, this.configMaps.lister.get(namespace, ROOT_CA_CONFIGMAP), this.caPem);
    const client = this.ctx.client.resource(CONFIGMAPS);
    try {
      if (a.op === 'create') await client.create(a.configMap, { namespace });
      // A 409 here (changed meanwhile) is retried with the newer copy.
      else if (a.op === 'update') await client.update(a.configMap, { namespace });
    } catch (e) {
      // Made meanwhile (the informer will tell), deleted meanwhile, or the namespace is going away.
      if ((a.op === 'create' && isStatusError(e, 409)) || isStatusError(e, 404) || (isStatusError(e, 403) && /being terminated/.test(String(e.message)))) return;
      throw e;
    }
  }
}
