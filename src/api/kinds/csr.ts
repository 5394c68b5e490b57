// certificates.k8s.io/v1 CertificateSigningRequest (pkg/apis/certificates): request, signerName,
// usages, expirationSeconds; the requesting user's identity written by the API server; status
// conditions Approved / Denied / Failed (written through the `approval` and `status` subresources,
// src/apiserver/kinds/csr.ts); the csrsigning controller (src/controllers/csrsigning) issues status.certificate.
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { duplicate, forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { age, col, defineKind } from '../meta.ts';
import { humanDuration } from '../duration.ts';
import { bytes, int, list, map, obj, str, time } from '../schema.ts';
import { FIELD_IMMUTABLE, invalidRendered, isDNS1123Label, isDNS1123Subdomain, tooLong } from '../validation.ts';
import { deepCopy } from '../core/json.ts';

export const CSR_CONDITIONS = { approved: 'Approved', denied: 'Denied', failed: 'Failed' } as const;

export const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];
const SORTED_USAGES = [...KEY_USAGES].sort();

/** Go's %#v of a []byte, as field errors print a CSR's request. */
const goBytes = (b: Buffer) => `[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`;

/** certificates.ParseCSR's first check: a PEM block of type CERTIFICATE REQUEST. */
function requestProblem(pem: string): string | undefined {
  const m = /-----BEGIN ([A-Z ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----/.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  const der = Buffer.from(m[2].replace(/\s/g, ''), 'base64');
  // An x509 CertificationRequest is a DER SEQUENCE.
  if (der.length < 2 || der[0] !== 0x30) return 'asn1: structure error: tags don\'t match';
  return undefined;
}

/** ValidateSignerName: "<domain with a dot>/<path>". */
function validateSignerName(v: string, f: string): FieldError[] {
  if (!v) return [required(f)];
  const segs = v.split('/');
  if (segs.length !== 2) return [invalidValue(f, v, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const errs: FieldError[] = [];
  const [domain, path] = segs;
  if (domain.length > 253) errs.push(tooLong(f, 253));
  const labels = domain.split('.');
  for (const l of labels) {
    const e = isDNS1123Label(l);
    if (e.length) {
      errs.push(...e.map((m) => invalidValue(f, domain, `validating label ${JSON.stringify(l)}: ${m}`)));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalidValue(f, domain, 'should be a domain with at least two segments separated by dots'));
  for (const m of isDNS1123Subdomain(path)) errs.push(invalidValue(f, path, `validating path segment: ${m}`));
  return errs;
}

/** validateConditions: Approved/Denied are exclusive and True only; Approved/Denied/Failed appear once. */
export function validateCsrConditions(conds: any[], old?: any[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conds.forEach((c, i) => {
    const f = `status.conditions[${i}]`;
    if (!c?.type) errs.push(required(`${f}.type`));
    else if (Object.values(CSR_CONDITIONS).includes(c.type)) {
      if (seen.has(c.type)) errs.push(duplicate(`${f}.type`, c.type));
      seen.add(c.type);
    }
    if (!c?.status) errs.push(required(`${f}.status`));
    else if ((c.type === CSR_CONDITIONS.approved || c.type === CSR_CONDITIONS.denied) && c.status !== 'True') errs.push(notSupported(`${f}.status`, c.status, ['True']));
    else if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(notSupported(`${f}.status`, c.status, ['False', 'True', 'Unknown']));
  });
  if (seen.has(CSR_CONDITIONS.approved) && seen.has(CSR_CONDITIONS.denied)) {
    const i = conds.findIndex((c) => c?.type === CSR_CONDITIONS.denied);
    errs.push(invalidValue(`status.conditions[${i}].type`, CSR_CONDITIONS.denied, 'Approved and Denied conditions are mutually exclusive'));
  }
  for (const t of Object.values(CSR_CONDITIONS)) {
    if ((old ?? []).some((c) => c?.type === t) && !seen.has(t)) errs.push(forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  return errs;
}

/** extractCSRStatus: Denied > Approved > Pending, then ",Failed" and ",Issued". */
export function csrCondition(o: KubeObject): string {
  const types = new Set(((o.status?.conditions as any[]) ?? []).map((c) => c?.type));
  let s = types.has(CSR_CONDITIONS.denied) ? 'Denied' : types.has(CSR_CONDITIONS.approved) ? 'Approved' : 'Pending';
  if (types.has(CSR_CONDITIONS.failed)) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

export const certificateSigningRequest = defineKind({
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
  shortNames: ['csr'],
  namespaced: false,
  subresources: { status: true, approval: true },
  description: 'CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request, and having it asynchronously approved and issued.',
  fields: {
    spec: obj('spec contains the certificate request, and is immutable after creation.', {
      request: bytes('request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.'),
      signerName: str('signerName indicates the requested signer, and is a qualified name.'),
      expirationSeconds: int('expirationSeconds is the requested duration of validity of the issued certificate.'),
      usages: list('usages specifies a set of key usages requested in the issued certificate.', str(), { listType: 'atomic' }),
      username: str('username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.'),
      uid: str('uid contains the uid of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.'),
      groups: list('groups contains group membership of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.', str(), { listType: 'atomic' }),
      extra: map('extra contains extra attributes of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.', list(undefined, str())),
    }),
    status: obj('status contains information about whether the request is approved or denied, and the certificate issued by the signer, or the failure condition indicating signer failure.', {
      conditions: list(
        'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".',
        obj('CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest object', {
          type: str('type of the condition. Known conditions are "Approved", "Denied", and "Failed".'),
          status: str('status of the condition, one of True, False, Unknown. Approved, Denied, and Failed conditions may not be "False" or "Unknown".'),
          reason: str('reason indicates a brief reason for the request state'),
          message: str('message contains a human readable message with details about the request state'),
          lastUpdateTime: time('lastUpdateTime is the time of the last update to this condition'),
          lastTransitionTime: time('lastTransitionTime is the time the condition last transitioned from one status to another.'),
        }),
        { listType: 'map', mapKeys: ['type'] },
      ),
      certificate: bytes('certificate is populated with an issued certificate by the signer after an Approved condition is present.'),
    }),
  },
  defaults: (o) => {
    for (const c of (o.status?.conditions as any[]) ?? []) if (c && typeof c === 'object' && !c.status) c.status = 'True';
  },
  validate: (o, old) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    if (!old) {
      const raw = typeof s.request === 'string' ? Buffer.from(s.request, 'base64') : Buffer.alloc(0);
      const why = requestProblem(raw.toString('latin1'));
      if (why) errs.push(invalidRendered('spec.request', goBytes(raw), why));
      if (s.signerName === 'kubernetes.io/legacy-unknown') errs.push(invalidValue('spec.signerName', s.signerName, 'the legacy signerName is not allowed via this API version'));
    }
    const usages: any[] = Array.isArray(s.usages) ? s.usages : [];
    if (usages.length === 0) errs.push({ ...required('spec.usages'), detail: 'Required value: usages must be provided' });
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (!KEY_USAGES.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, SORTED_USAGES));
      else if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
      seen.add(u);
    });
    errs.push(...validateSignerName(typeof s.signerName === 'string' ? s.signerName : '', 'spec.signerName'));
    if (s.expirationSeconds != null && s.expirationSeconds < 600) errs.push(invalidValue('spec.expirationSeconds', s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
    errs.push(...validateCsrConditions((o.status?.conditions as any[]) ?? [], old?.status?.conditions));
    return errs;
  },
  strategy: {
    prepareForCreate: (o) => void (o.status = {}),
    // csrStrategy.PrepareForUpdate: the main resource changes only metadata.
    prepareForUpdate: (o, old) => {
      o.spec = deepCopy(old.spec);
      if (old.status === undefined) delete o.status;
      else o.status = deepCopy(old.status);
    },
    // The status subresource may set the certificate (once) and Failed; approval conditions only through /approval.
    prepareForStatusUpdate: (o, old) => {
      o.spec = deepCopy(old.spec);
      const approval = new Set<string>([CSR_CONDITIONS.approved, CSR_CONDITIONS.denied]);
      const kept = ((old.status?.conditions as any[]) ?? []).filter((c) => approval.has(c?.type));
      const rest = ((o.status?.conditions as any[]) ?? []).filter((c) => !approval.has(c?.type));
      o.status = { ...(o.status ?? {}), conditions: [...kept, ...rest] };
      if (!o.status.conditions.length) delete o.status.conditions;
    },
    validateUpdate: (o, old) => {
      const a = old.status?.certificate;
      return a && o.status?.certificate !== a ? [invalidValue('status.certificate', '<certificate data>', `${FIELD_IMMUTABLE}: updates may not modify the certificate once it is set`)] : [];
    },
  },
  columns: [
    { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
  ],
  cells: (o, now) => [
    age(o, now),
    o.spec?.signerName ?? '',
    o.spec?.username ?? '',
    typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>',
    csrCondition(o),
  ],
});
