// A CronTab CRD (stable.example.com: v1 `spec.cronSpec`, v2 `spec.schedule`; v1 stored) converted by
// a real HTTPS conversion webhook on 127.0.0.1 that answers ConversionReview v1, records every
// review, and can be told to fail (a Failure result, or a wrong number of objects).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makePki, type TestPki } from '../admission/certs.ts';

export const CRONTABS = (v: string, ns = 'default') => `/apis/stable.example.com/${v}/namespaces/${ns}/crontabs`;

export type Mode = 'ok' | 'fail' | 'short';

export interface ConversionServer {
  pki: TestPki;
  port: number;
  url: string;
  /** Every request: desiredAPIVersion and the apiVersions of the objects sent. */
  reviews: { desired: string; objects: string[] }[];
  mode: Mode;
  close(): Promise<void>;
}

/** v1 `spec.cronSpec` ↔ v2 `spec.schedule`; labels pass through, one label added to show they may change. */
function convertOne(obj: any, desired: string): any {
  const out = structuredClone(obj);
  const spec = out.spec ?? {};
  if (desired.endsWith('/v2') && 'cronSpec' in spec) {
    spec.schedule = spec.cronSpec;
    delete spec.cronSpec;
  } else if (desired.endsWith('/v1') && 'schedule' in spec) {
    spec.cronSpec = spec.schedule;
    delete spec.schedule;
  }
  out.apiVersion = desired;
  return out;
}

export async function startConversionServer(dnsNames: string[] = ['localhost']): Promise<ConversionServer> {
  const pki = makePki(dnsNames);
  const s: ConversionServer = { pki, port: 0, url: '', reviews: [], mode: 'ok', close: async () => undefined };
  const server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const r = review.request;
      s.reviews.push({ desired: r.desiredAPIVersion, objects: r.objects.map((o: any) => o.apiVersion) });
      const response =
        s.mode === 'fail'
          ? { uid: r.uid, result: { status: 'Failure', message: 'the webhook is out to lunch' } }
          : { uid: r.uid, result: { status: 'Success' }, convertedObjects: s.mode === 'short' ? [] : r.objects.map((o: any) => convertOne(o, r.desiredAPIVersion)) };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.port = (server.address() as AddressInfo).port;
  s.url = `https://127.0.0.1:${s.port}/convert`;
  s.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}

const subresources = { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } };
const schema = (specProps: Record<string, unknown>) => ({
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { ...specProps, image: { type: 'string' }, replicas: { type: 'integer' } } },
      status: { type: 'object', properties: { replicas: { type: 'integer' }, lastRun: { type: 'string' } } },
    },
  },
});

/** The CronTab CRD converting through `clientConfig`. */
export function cronTabCrd(clientConfig: Record<string, unknown>): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: schema({ cronSpec: { type: 'string' } }),
          subresources,
          additionalPrinterColumns: [{ name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' }],
        },
        {
          name: 'v2',
          served: true,
          storage: false,
          schema: schema({ schedule: { type: 'string' } }),
          subresources,
          additionalPrinterColumns: [{ name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' }],
        },
      ],
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig } },
    },
  };
}

export function cronTab(version: 'v1' | 'v2', name: string, schedule: string, extra: Record<string, unknown> = {}): any {
  const field = version === 'v1' ? 'cronSpec' : 'schedule';
  return { apiVersion: `stable.example.com/${version}`, kind: 'CronTab', metadata: { name, ...extra }, spec: { [field]: schedule, image: 'busybox' } };
}
