// What bench/simulate.ts --mix prints: the request mix (verb, resource, user agent) and the virtual
// timers fired (by the code that set them) per virtual minute, counted from --mix-after on, so the
// start-up of the cluster stays out of a steady-state figure.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Transport, TransportRequest } from '../src/client/index.ts';
import { VirtualClock, type Timer } from '../src/clock/index.ts';
import { TimerQueue } from '../src/node/timers.ts';

const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** verb resource[/subresource] as the API server's request metrics name them. */
export function requestKind(r: TransportRequest): string {
  const [path, query = ''] = r.path.split('?');
  const parts = path.split('/').filter(Boolean);
  let i = parts[0] === 'api' ? 2 : parts[0] === 'apis' ? 3 : parts.length;
  if (i >= parts.length) return `${r.method} ${path}`;
  if (parts[i] === 'namespaces' && parts.length > i + 2) i += 2;
  const [resource, name, sub] = parts.slice(i);
  const watch = /(^|&)watch=(true|1)/.test(query);
  const verb = { GET: name ? 'get' : watch ? 'watch' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[r.method.toUpperCase()] ?? r.method;
  return `${verb} ${resource}${sub ? `/${sub}` : ''}`;
}

/** Where a timer was set: the first two frames outside src/clock (and node internals). */
function site(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((l) => l.trim());
  const ours = frames.filter((f) => f.includes('/src/') && !f.includes('/src/clock/') && !f.includes('simulate-mix.ts'));
  return ours
    .slice(0, 2)
    .map((f) => f.replace(/^at /, '').replace(/\(?[^ ]*\/src\//, '').replace(/:\d+\)?$/, ''))
    .join(' < ');
}

export class Mix {
  readonly requests = new Map<string, number>();
  readonly agents = new Map<string, number>();
  readonly timers = new Map<string, number>();
  readonly poolTimers = new Map<string, number>();
  private counting = false;
  private from = 0;
  private to = 0;
  readonly clock: VirtualClock;

  private session?: Session;

  /**
   * profile: a .cpuprofile file written by print() for the counted stretch only (steady state, no
   * start-up); heapProfile: a .heapprofile of what that stretch allocated (sampled, objects the GC
   * already collected included), for Chrome DevTools' Memory tab.
   */
  constructor(
    private readonly afterMs: number,
    private readonly profile?: string,
    private readonly heapProfile?: string,
  ) {
    const mix = this;
    this.clock = new (class extends VirtualClock {
      override setTimeout(fn: () => void, ms: number): Timer {
        const s = profile || heapProfile ? '(not traced while profiling)' : site();
        return super.setTimeout(() => (mix.counting && count(mix.timers, s), fn()), ms);
      }
      override setInterval(fn: () => void, ms: number): Timer {
        const s = `${profile || heapProfile ? '(not traced while profiling)' : site()} (every ${ms} ms)`;
        return super.setInterval(() => (mix.counting && count(mix.timers, s), fn()), ms);
      }
    })();
    const schedule = TimerQueue.prototype.schedule;
    TimerQueue.prototype.schedule = function (this: TimerQueue<any>, key: any, at: number) {
      if (mix.counting) count(mix.poolTimers, String(key?.timer ?? 'other'));
      return schedule.call(this, key, at);
    };
    this.clock.setTimeout(() => {
      this.counting = true;
      this.from = this.clock.now();
      if (profile || heapProfile) {
        this.session = new Session();
        this.session.connect();
      }
      if (profile) void this.session!.post('Profiler.enable').then(() => this.session!.post('Profiler.start'));
      if (heapProfile) {
        void this.session!.post('HeapProfiler.enable').then(() =>
          this.session!.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never),
        );
      }
    }, afterMs);
  }

  // keeps what the wrapped transport takes (values: JSON bodies as values in-process)
  wrap = (t: Transport): Transport =>
    Object.assign((req: Parameters<Transport>[0]) => {
      if (this.counting) {
        count(this.requests, requestKind(req));
        count(this.agents, req.headers['User-Agent'] ?? req.headers['user-agent'] ?? '?');
      }
      return t(req);
    }, { values: t.values });

  async print(): Promise<void> {
    this.to = this.clock.now();
    if (this.session && this.profile) {
      const { profile } = await this.session.post('Profiler.stop');
      writeFileSync(this.profile, JSON.stringify(profile));
      console.log(`--mix: CPU profile of the counted stretch in ${this.profile}`);
    }
    if (this.session && this.heapProfile) {
      const { profile } = await this.session.post('HeapProfiler.stopSampling');
      writeFileSync(this.heapProfile, JSON.stringify(profile));
      console.log(`--mix: allocation profile of the counted stretch in ${this.heapProfile}`);
    }
    const minutes = (this.to - this.from) / 60_000;
    if (!(minutes > 0)) return console.log(`--mix: nothing counted (run past --mix-after ${this.afterMs / 1000} s)`);
    const table = (title: string, m: Map<string, number>) => {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      console.log(`\n${title}: ${(total / minutes).toFixed(0)} per virtual minute`);
      for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${(v / minutes).toFixed(1).padStart(9)}  ${k}`);
    };
    console.log(`\n--mix: counted over ${minutes.toFixed(1)} virtual minutes, from ${this.afterMs / 1000} s on`);
    table('requests by verb and resource', this.requests);
    table('requests by user agent', this.agents);
    table('virtual-clock timers fired, by where they were set', this.timers);
    table('node pool timer-queue schedules, by kind', this.poolTimers);
  }
}
