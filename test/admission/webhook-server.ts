// An HTTPS admission webhook server on 127.0.0.1 for tests: each path has a handler that gets the
// AdmissionReview request and returns the response fields (uid and envelope are filled in).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './certs.ts';

export type ReviewHandler = (request: any, path: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface WebhookServer {
  port: number;
  url(path: string): string;
  /** Every AdmissionReview request received, per path. */
  seen: Map<string, any[]>;
  handle(path: string, h: ReviewHandler): void;
  /** Overrides the whole HTTP answer of a path (status, body). */
  raw(path: string, answer: (request: any) => { status: number; body: string; delayMs?: number }): void;
  close(): Promise<void>;
}

export async function startWebhookServer(pki: TestPki): Promise<WebhookServer> {
  const handlers = new Map<string, ReviewHandler>();
  const raws = new Map<string, (request: any) => { status: number; body: string; delayMs?: number }>();
  const seen = new Map<string, any[]>();
  const server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = (req.url ?? '/').split('?')[0];
      let review: any;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        review = undefined;
      }
      if (!seen.has(path)) seen.set(path, []);
      seen.get(path)!.push({ ...review?.request, _query: (req.url ?? '').split('?')[1] ?? '' });
      const raw = raws.get(path);
      if (raw) {
        const a = raw(review?.request);
        if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
        if (!res.destroyed) res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(a.body);
        return;
      }
      const h = handlers.get(path);
      if (!h) return void res.writeHead(404).end();
      const response = (await h(review.request, path)) as Record<string, unknown>;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (p) => `https://127.0.0.1:${port}${p}`,
    seen,
    handle: (p, h) => void handlers.set(p, h),
    raw: (p, a) => void raws.set(p, a),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A JSONPatch response (base64, patchType JSONPatch). */
export function patchResponse(ops: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64'), ...extra };
}
