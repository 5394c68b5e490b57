// kubectl exec and attach at the kubelet: `/exec/<ns>/<pod>/<container>?command=...&stdin=&stdout=&stderr=&tty=`
// (`/attach/...` without command: the running program's own stdin and output) upgraded to a WebSocket speaking the channel protocol kubectl 1.30+ asks for (v5.channel.k8s.io,
// else v4): every message starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status,
// 4 resize, 255 (v5) "close channel N" (stdin's end). The command runs beside the container's
// process in its context (env, working directory: the runtime's spawnIn). A container without a
// process (simulated) is answered with a Status before any upgrade. tty=true: tty.ts.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { WebSocketServer, type WebSocketLike } from './ws.ts';
import { ttyInput, ttyOutput, type LineState } from './tty.ts';

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

export interface ExecRequest {
  verb: 'exec' | 'attach';
  node?: string;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** What an exec or attach request names: `/exec|attach/ns/pod/container` (after an optional `/nodes/<name>`) and its query. Pure. */
export function parseExec(url: string): ExecRequest | undefined {
  const u = new URL(url, 'http://kubelet');
  const m = /^(?:\/nodes\/([^/]+))?\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(u.pathname);
  if (!m) return undefined;
  const on = (k: string) => ['1', 'true'].includes(u.searchParams.get(k) ?? '');
  const [, node, verb, namespace, pod, container] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
  return { verb: verb as 'exec' | 'attach', node, namespace, pod, container, command: u.searchParams.getAll('command'), stdin: on('stdin'), tty: on('tty') };
}

/**
 * A running container's stdio for kubectl attach: its stdin (when spec.stdin), its output as it
 * comes, its end. Listeners return their unsubscribe.
 */
export interface AttachIO {
  stdin?: import('node:stream').Writable;
  /** spec.stdinOnce: the first attach's end closes stdin. */
  stdinOnce: boolean;
  onOutput(fn: (stream: 1 | 2, data: Buffer) => void): () => void;
  onExit(fn: () => void): () => void;
}

/** What the kubelet server needs to attach: the container's stdio, or a refusal (code, message). */
export type AttachStarter = (node: string | undefined, namespace: string, pod: string, container: string) => AttachIO | { code: number; message: string };

/** What the kubelet server needs to exec: a child in the container's context, or a refusal (code, message). */
export type ExecStarter = (node: string | undefined, namespace: string, pod: string, container: string, command: string[] | undefined) => ChildProcess | { code: number; message: string } | undefined;

export class ExecServer {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => chooseProtocol(p) });

  constructor(
    private readonly start: () => ExecStarter | undefined,
    private readonly attacher: () => AttachStarter | undefined = () => undefined,
  ) {}

  /** The kubelet server's 'upgrade': exec requests are served, anything else refused. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const e = parseExec(req.url ?? '/');
    if (e?.verb === 'attach') return this.attach(e, req, socket, head);
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
    const proc = child as ChildProcess;
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      serve(ws, e, {
        stdin: proc.stdin ?? undefined,
        signal: (sig) => proc.kill(sig),
        output: (fn) => {
          proc.stdout?.on('data', (d: Buffer) => fn(1, d));
          proc.stderr?.on('data', (d: Buffer) => fn(2, d));
        },
        end: (fn) => {
          proc.on('error', (err) => fn(exitStatus(e.command, 126), err.message));
          proc.on('close', (code, signal) => fn(exitStatus(e.command, code ?? (signal ? 137 : 1))));
        },
        gone: () => proc.kill('SIGKILL'),
      }),
    );
  }

  private attach(e: ExecRequest, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const starter = this.attacher();
    if (!starter) return refuse(socket, 503, 'starting');
    const io = starter(e.node, e.namespace, e.pod, e.container);
    if ('code' in io) return refuse(socket, io.code, io.message);
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(socket, 400, `attach is not supported by kubesim over ${req.headers.upgrade}: use kubectl 1.30+ (WebSocket, v5.channel.k8s.io)`);
    const stops: (() => void)[] = [];
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      serve(ws, e, {
        stdin: e.stdin ? io.stdin : undefined,
        output: (fn) => stops.push(io.onOutput(fn)),
        end: (fn) => stops.push(io.onExit(() => fn({ metadata: {}, status: 'Success' }))),
        gone: () => {
          for (const stop of stops) stop();
          if (e.stdin && io.stdinOnce) io.stdin?.end();
        },
        keepStdin: true,
      }),
    );
  }
}

/** How a session's stdio is wired: an exec'd child, or a running container (attach). */
interface SessionIO {
  stdin?: import('node:stream').Writable;
  signal?(sig: NodeJS.Signals): void;
  output(fn: (stream: 1 | 2, data: Buffer) => void): void;
  /** Called once with the final Status (and a message for stderr). */
  end(fn: (status: object, message?: string) => void): void;
  /** The client went away first. */
  gone(): void;
  /** The client's end of stdin does not end the program's (attach: others may still write). */
  keepStdin?: boolean;
}

/** Answers an upgrade request with a Status (no upgrade). */
export function refuse(socket: Duplex, code: number, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: code === 404 ? 'NotFound' : code === 503 ? 'ServiceUnavailable' : 'BadRequest', code });
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 503 ? 'Service Unavailable' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function serve(ws: WebSocketLike, e: ExecRequest, io: SessionIO): void {
  const frame = (ch: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([ch]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  const line: LineState = { line: '' };
  const endStdin = () => {
    if (!io.keepStdin) io.stdin?.end();
  };
  if (!e.stdin) endStdin();
  io.stdin?.on('error', () => {});
  // With a TTY there is one output stream (stderr merged into stdout), written for a raw terminal.
  io.output((stream, d) => (e.tty ? frame(1, ttyOutput(d)) : frame(stream, d)));
  let done = false;
  io.end((status, message) => {
    if (done) return;
    done = true;
    if (message) frame(e.tty ? 1 : 2, `${message}\n`);
    frame(3, JSON.stringify(status));
    ws.close(1000);
  });
  ws.on('message', (data) => {
    if (data.length === 0) return;
    const ch = data[0];
    if (ch === 0 && e.stdin) {
      if (!e.tty) return void io.stdin?.write(data.subarray(1));
      const t = ttyInput(data.subarray(1), line);
      if (t.echo) frame(1, t.echo);
      if (t.forward) io.stdin?.write(t.forward);
      if (t.signal) io.signal?.(t.signal);
      if (t.eof) endStdin();
    } else if (ch === 255 && data[1] === 0) endStdin(); // v5: the client closed stdin
    // 4: resize ({"Width":..,"Height":..}): accepted, nothing to resize (tty.ts)
  });
  ws.on('close', () => {
    if (!done) io.gone();
    done = true;
  });
  ws.on('error', () => {});
}
