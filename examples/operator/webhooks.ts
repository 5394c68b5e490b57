// The operator's admission webhooks, served over HTTPS: /mutate defaults spec.image, /validate
// refuses an image without a pinned tag. The decisions are pure functions; serve() is the
// AdmissionReview v1 envelope around them.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Website } from './website.ts';

export const DEFAULT_IMAGE = 'nginx:1.27';

/** JSONPatch operations the mutating webhook returns for a Website (empty: nothing to default). */
export function defaults(w: Website): { op: 'add'; path: string; value: unknown }[] {
  if (w.spec?.image) return [];
  return w.spec ? [{ op: 'add', path: '/spec/image', value: DEFAULT_IMAGE }] : [{ op: 'add', path: '/spec', value: { image: DEFAULT_IMAGE } }];
}

/** Why a Website is refused, or undefined if it is fine. */
export function validate(w: Website): string | undefined {
  const image = w.spec?.image ?? '';
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  if (!image.includes('@') && (!tag || tag === 'latest')) return `spec.image: Invalid value: "${image}": must be pinned to a tag other than latest or to a digest`;
  return undefined;
}

type Handler = (request: any) => Record<string, unknown>;

export const handlers: Record<string, Handler> = {
  '/mutate': (request) => {
    const ops = defaults(request.object);
    if (ops.length === 0) return { allowed: true };
    return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
  },
  '/validate': (request) => {
    const why = validate(request.object);
    // 403 Forbidden, as controller-runtime's admission.Denied answers (without a code the API server says 400)
    return why ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: why } } : { allowed: true };
  },
};

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/** Serves the webhooks on host:port (port 0 = any free port) with the given serving certificate. */
export async function serve(tls: { cert: string; key: string }, port = 0, host = '127.0.0.1'): Promise<WebhookServer> {
  const server = https.createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const handler = handlers[(req.url ?? '/').split('?')[0]] as Handler | undefined;
      let review: any;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        review = undefined;
      }
      if (!handler || !review?.request) return void res.writeHead(handler ? 400 : 404).end();
      const response = { uid: review.request.uid, ...handler(review.request) };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
