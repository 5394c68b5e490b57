// End-to-end harness: an in-process API server, a kubeconfig in a temp dir and the real kubectl
// (/usr/bin/kubectl) run with a fresh HOME (its discovery cache must not leak between runs).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, kubeconfigYaml, type ApiServerOptions, type KubeconfigOptions } from '../../src/apiserver/index.ts';

export const KUBECTL = '/usr/bin/kubectl';
export const hasKubectl = existsSync(KUBECTL);
export const GUESTBOOK = '/work/shared/fixtures/k8s-docs/guestbook';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  url: string;
  dir: string;
  /** Runs kubectl with a 30 s limit; never throws on a non-zero exit. */
  kubectl(args: string[], opts?: { stdin?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Run>;
  /** kubectl that must succeed; returns stdout. */
  ok(args: string[], opts?: { stdin?: string; env?: Record<string, string> }): Promise<string>;
  /** Raw HTTP against the API server (the stored object, requests kubectl cannot make). */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  /** The stored object at an API path, or undefined on 404. */
  get(path: string): Promise<any>;
  write(name: string, content: string): string;
  close(): Promise<void>;
}

/** opts: extra API server options (authorization modes, authenticators) and the kubeconfig's credentials. */
export async function startCluster(opts: ApiServerOptions = {}, kubeconfigOpts: KubeconfigOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-'));
  const server = await startApiServer({ port: 0, ...opts });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(server.url, kubeconfigOpts));
  const home = join(dir, 'home');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: kubeconfig };

  const kubectl: Cluster['kubectl'] = (args, opts = {}) =>
    new Promise((resolve) => {
      const child = execFile(
        KUBECTL,
        args,
        { env: { ...env, ...opts.env }, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 124) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
      else child.stdin!.end();
    });

  const http: Cluster['http'] = async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body);
      if (!('content-type' in Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])))) (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const r = await fetch(server.url + path, init);
    const text = await r.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text, headers: r.headers };
  };

  return {
    url: server.url,
    dir,
    kubectl,
    async ok(args, opts) {
      const r = await kubectl(args, opts);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    http,
    async get(path) {
      const r = await http('GET', path);
      return r.status === 404 ? undefined : r.json;
    },
    write(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Splits kubectl's column output into rows of cells. */
export function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s{2,}/));
}
