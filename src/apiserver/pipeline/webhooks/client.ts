// Posting an AdmissionReview to a webhook over HTTPS (node:https), trusting caBundle (else the
// system roots), checking the certificate against the URL's host or the service's DNS name, within
// the webhook's timeout. Failures come back as the text Kubernetes' client puts after
// `failed to call webhook: `.
import https from 'node:https';
import type { WebhookTarget } from './resolve.ts';

const agent = new https.Agent({ keepAlive: true, maxSockets: 128 });

export class CallError extends Error {}

export interface WebhookAnswer {
  status: number;
  body: string;
}

/** Go's wording for the errors node reports while connecting. */
export function dialErrorText(err: NodeJS.ErrnoException & { host?: string; reason?: string }, target: Pick<WebhookTarget, 'host' | 'port'>): string {
  const addr = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: ${err.reason ?? err.message}`;
    default:
      return err.message;
  }
}

/** POSTs body as JSON; resolves with the HTTP answer, rejects with CallError (text after "failed to call webhook: "). */
export function postReview(target: WebhookTarget, caBundle: string | undefined, body: string, timeoutMs: number): Promise<WebhookAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (text: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new CallError(`Post ${JSON.stringify(target.url)}: ${text}`));
    };
    const req = https.request(
      {
        agent,
        method: 'POST',
        host: target.host,
        port: target.port,
        path: target.path,
        servername: isIP(target.servername) ? undefined : target.servername,
        ...(caBundle ? { ca: caBundle } : {}),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => fail(err.message));
      },
    );
    const timer = setTimeout(() => {
      fail('context deadline exceeded');
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => fail(dialErrorText(err as NodeJS.ErrnoException, target)));
    req.end(body);
  });
}

function isIP(h: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');
}
