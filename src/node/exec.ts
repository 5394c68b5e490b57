// kubectl exec at the kubelet: `/exec/<ns>/<pod>/<container>?command=...&stdin=&stdout=&stderr=&tty=`
// upgraded to a WebSocket speaking the channel protocol kubectl 1.30+ asks for (v5.channel.k8s.io,
// else v4): every message starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status,
// 4 resize, 255 (v5) "close channel N" (stdin's end). The command runs beside the container's
// process in its context (env, working directory: the runtime's spawnIn). A container without a
// process (simulated) is answered with a Status before any upgrade.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { WebSocketServer, type WebSocketLike } from './ws.ts';

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** The protocol chosen among those offered: the newest we speak, else none. Pure. */
export function chooseProtocol(offered: Iterable<string>): string | false {
  const set = new Set(offered);
  return CHANNEL_PROTOCOLS.find((p) => set.has(p)) ?? false;
}

/** The Status an exec ends with on the error channel (Kubernetes' remotecommand). Pure. */
export function exitStatus(command: string[], code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** What an exec request names: the path `/exec/ns/pod/container` (after an optional `/nodes/<name>`) and its query. Pure. */
export function parseExec(url: string): { node?: string; namespace: string; pod: string; container: string; command: string[]; stdin: boolean } | undefined {
  const u = new URL(url, 'http://kubelet');
  const m = /^(?:\/nodes\/([^/]+))?\/exec\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(u.pathname);
  if (!m) return undefined;
  const on = (k: string) => ['1', 'true'].includes(u.searchParams.get(k) ?? '');
  const [, node, namespace, pod, container] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
  return { node, namespace, pod, container, command: u.searchParams.getAll('command'), stdin: on('stdin') };
}

/** What the kubelet server needs to exec: a child in the container's context, or a refusal (code, message). */
export type ExecStarter = (node: string | undefined, namespace: string, pod: string, container: string, command: string[] | undefined) => ChildProcess | { code: number; message: string } | undefined;

export class ExecServer {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => chooseProtocol(p) });

  constructor(private readonly start: () => ExecStarter | undefined) {}

  /** The kubelet server's 'upgrade': exec requests are served, anything else refused. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const e = parseExec(req.url ?? '/');
    const starter = this.start();
    if (!e || !starter) return refuse(socket, e ? 503 : 404, e ? 'starting' : 'the server could not find the requested resource');
    if (e.command.length === 0) return refuse(socket, 400, 'you must specify at least 1 command');
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      // SPDY (older kubectl, or kubectl's fallback): say why the container cannot exec, else which protocol works.
      const why = starter(e.node, e.namespace, e.pod, e.container, undefined);
      const refusal = why && 'message' in why ? why : undefined;
      return refuse(socket, refusal?.code ?? 400, refusal ? refusal.message : `exec is not supported by kubesim over ${req.headers.upgrade}: use kubectl 1.30+ (WebSocket, v5.channel.k8s.io)`);
    }
    const child = starter(e.node, e.namespace, e.pod, e.container, e.command);
    if (!child) return refuse(socket, 400, 'not running');
    if (!('pid' in child) && 'code' in child) return refuse(socket, child.code, child.message);
    this.wss.handleUpgrade(req, socket, head, (ws) => serve(ws, child as ChildProcess, e.command, e.stdin));
  }
}

/** Answers an upgrade request with a Status (no upgrade). */
export function refuse(socket: Duplex, code: number, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: code === 404 ? 'NotFound' : code === 503 ? 'ServiceUnavailable' : 'BadRequest', code });
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 503 ? 'Service Unavailable' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function serve(ws: WebSocketLike, child: ChildProcess, command: string[], stdin: boolean): void {
  const frame = (ch: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([ch]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  if (!stdin) child.stdin?.end();
  child.stdin?.on('error', () => {});
  child.stdout?.on('data', (d: Buffer) => frame(1, d));
  child.stderr?.on('data', (d: Buffer) => frame(2, d));
  let done = false;
  const finish = (code: number, message?: string) => {
    if (done) return;
    done = true;
    if (message) frame(2, `${message}\n`);
    frame(3, JSON.stringify(exitStatus(command, code)));
    ws.close(1000);
  };
  child.on('error', (err) => finish(126, err.message));
  child.on('close', (code, signal) => finish(code ?? (signal ? 137 : 1)));
  ws.on('message', (data) => {
    if (data.length === 0) return;
    const ch = data[0];
    if (ch === 0) child.stdin?.write(data.subarray(1));
    else if (ch === 255 && data[1] === 0) child.stdin?.end(); // v5: the client closed stdin
  });
  ws.on('close', () => {
    if (!done) child.kill('SIGKILL');
    done = true;
  });
  ws.on('error', () => {});
}
