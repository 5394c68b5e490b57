// The Website controller, sample-controller style: informers on Websites and Deployments only
// enqueue "namespace/name" keys; workers take a key, make the owned Deployment match the Website,
// and write the Website's status through the status subresource.
import {
  Client,
  RateLimitingQueue,
  SharedInformerFactory,
  deletedObject,
  isStatusError,
  metaNamespaceKey,
  splitMetaNamespaceKey,
  type SharedInformer,
} from './deps.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { DEPLOYMENTS, WEBSITES, desiredDeployment, desiredStatus, updatedDeployment, type Website } from './website.ts';

export class WebsiteController {
  private readonly factory: SharedInformerFactory;
  private readonly websites: SharedInformer<Website>;
  private readonly deployments: SharedInformer<KubeObject>;
  private readonly queue = new RateLimitingQueue<string>({ name: 'website' });
  private workers: Promise<void>[] = [];

  constructor(private readonly client: Client) {
    this.factory = new SharedInformerFactory(client);
    this.websites = this.factory.informerFor<Website>(WEBSITES);
    this.deployments = this.factory.informerFor<KubeObject>(DEPLOYMENTS);
    const enqueue = (o: Website) => this.queue.add(metaNamespaceKey(o));
    this.websites.addEventHandler({ onAdd: enqueue, onUpdate: (_old, o) => enqueue(o), onDelete: (o) => enqueue(deletedObject(o) as Website) });
    // a change to a Deployment we own wakes up its Website
    const owner = (d: KubeObject) => {
      const ref = d.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Website' && r.apiVersion === `${WEBSITES.group}/v1`);
      if (ref) this.queue.add(`${d.metadata.namespace}/${ref.name}`);
    };
    this.deployments.addEventHandler({ onAdd: owner, onUpdate: (_old, d) => owner(d), onDelete: (d) => owner(deletedObject(d) as KubeObject) });
  }

  async run(workers = 2): Promise<void> {
    this.factory.start();
    await this.factory.waitForCacheSync();
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.allSettled(this.workers);
    await this.factory.shutdown();
  }

  private async work(): Promise<void> {
    for (;;) {
      const { item: key, shutdown } = await this.queue.get();
      if (shutdown) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (e) {
        // a 409 only means our cache was behind; anything else backs off
        if (isStatusError(e, 409)) this.queue.addAfter(key, 20);
        else this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** One reconcile: Deployment first, then status. A deleted Website needs nothing: the garbage collector removes its Deployment. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const w = this.websites.lister.get(namespace ?? '', name);
    if (!w || w.metadata.deletionTimestamp) return;
    const deployments = this.client.resource<KubeObject>(DEPLOYMENTS);
    let d = this.deployments.lister.get(namespace ?? '', name);
    if (!d) {
      d = await deployments.create(desiredDeployment(w));
    } else {
      if (!d.metadata.ownerReferences?.some((r) => r.controller && r.uid === w.metadata.uid)) {
        throw new Error(`deployment ${key} exists and is not owned by website ${name}`);
      }
      const next = updatedDeployment(d, w);
      if (next) d = await deployments.update(next);
    }
    const status = desiredStatus(w, d);
    if (status) await this.client.resource<Website>(WEBSITES).updateStatus({ ...w, status });
  }
}
