// The run's pod watch: only the times of each pod are kept (not the objects, so 150,000 pods cost
// a few MB), resumed from the last resourceVersion after a close, relisted after 410 Expired.
import { sleep, type Client } from '../client/index.ts';
import type { KubeObject, Status } from '../api/types.ts';
import { REFS } from './objects.ts';
import { observePod, type PodTimes } from './startup.ts';

export class PodWatch {
  readonly pods = new Map<string, PodTimes>();
  private rv = '';
  private stopped = false;
  private current?: { close(): void };
  private loop?: Promise<void>;
  private readonly abort = new AbortController();
  restarts = 0;

  constructor(
    private readonly client: Client,
    private readonly labelSelector: string,
  ) {}

  private see(p: KubeObject): void {
    const uid = p.metadata?.uid;
    if (uid) this.pods.set(uid, observePod(this.pods.get(uid), p as any, Date.now()));
  }

  private async list(): Promise<void> {
    const l = await this.client.resource(REFS.pods).listAll({ labelSelector: this.labelSelector });
    for (const p of l.items) this.see(p);
    this.rv = l.metadata?.resourceVersion ?? '';
  }

  /** Lists (the starting resourceVersion), then watches in the background until stop(). */
  async start(): Promise<void> {
    await this.list();
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const pods = this.client.resource(REFS.pods);
    while (!this.stopped) {
      try {
        const w = await pods.watch({ labelSelector: this.labelSelector, resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: 300, signal: this.abort.signal });
        this.current = w;
        if (this.stopped) w.close();
        for await (const ev of w) {
          if (ev.type === 'ERROR') {
            if ((ev.object as Status).code === 410) await this.list();
            break;
          }
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) this.rv = rv;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.see(ev.object as KubeObject);
        }
      } catch (e) {
        if (this.stopped) break;
        if ((e as { code?: number }).code === 410) await this.list().catch(() => {});
        else await sleep(500, this.abort.signal).catch(() => {});
      }
      this.restarts++;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.current?.close();
    await this.loop;
  }
}
