// The one-command cluster for end-to-end tests: `kubesim up` as a child process (API server,
// scheduler, controller-manager, node pool), driven with the real /usr/bin/kubectl in a fresh HOME.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/client/index.ts';

export const KUBECTL = '/usr/bin/kubectl';
export const hasKubectl = existsSync(KUBECTL);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface UpCluster {
  kubeconfig: string;
  client: Client;
  /** Runs kubectl; resolves with stdout, rejects with stderr on a non-zero exit. */
  kubectl(args: string[], opts?: { timeoutMs?: number; stdin?: string }): Promise<string>;
  kubectlJson(args: string[]): Promise<any>;
  /** What `kubesim up` printed so far (its first 20,000 characters). */
  stdout(): string;
  /** The `kubesim up` process itself. */
  child: ChildProcess;
  close(): Promise<void>;
}

export async function up(args: string[] = []): Promise<UpCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-'));
  const home = join(dir, 'home');
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/kubesim.js'), 'up', '--port', '0', '--data-dir', join(dir, 'data'), ...args], {
    cwd: root,
    env: { ...process.env, KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    if (out.length < 20_000) out += d;
  });
  const kubeconfig = await new Promise<string>((resolveKc, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubesim up did not start in time: ${stderr}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /kubeconfig: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveKc(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`kubesim up exited with ${code}: ${stderr}`)));
  });
  const client = Client.fromKubeconfig(kubeconfig, { qps: Infinity });
  const kubectl = (a: string[], o: { timeoutMs?: number; stdin?: string } = {}) =>
    new Promise<string>((res, rej) => {
      const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...a], { env: { ...process.env, HOME: home, KUBECONFIG: kubeconfig }, timeout: o.timeoutMs ?? 90_000, maxBuffer: 64 << 20 }, (err, stdout, se) => {
        if (err) rej(new Error(`kubectl ${a.join(' ')} failed: ${se || err.message}`));
        else res(stdout);
      });
      // kubectl may exit before reading stdin (EPIPE): its outcome is execFile's, not the pipe's.
      child.stdin?.on('error', () => {});
      child.stdin?.end(o.stdin ?? '');
    });
  return {
    kubeconfig,
    client,
    kubectl,
    kubectlJson: async (a) => JSON.parse(await kubectl([...a, '-o', 'json'])),
    stdout: () => out,
    child,
    async close() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
