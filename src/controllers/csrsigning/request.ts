// PKCS#10 certificate requests of any key type Kubernetes signs (RSA, ECDSA, Ed25519), as Go's
// x509.ParseCertificateRequest + CheckSignature read them: the DER is split by hand, the signature
// checked with node:crypto, the subject and extension request read with node-forge's ASN.1 helpers
// (node-forge's own CSR reader takes RSA keys only). The request's SubjectPublicKeyInfo is kept as
// bytes and goes into the certificate as it is (certificateForKey).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateRequest {
  /** The SubjectPublicKeyInfo, DER. */
  spki: Buffer;
  publicKey: KeyObject;
  /** node-forge subject attributes (shortName, value, ...), as the certificate's subject takes them. */
  subject: forge.pki.CertificateField[];
  /** The requested extensions (node-forge form: subjectAltName with altNames, ...). */
  extensions: any[];
}

/** The digest each signature algorithm the signer accepts uses (null: Ed25519 signs the message itself). */
const SIGNATURE_HASH: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption (Go still accepts it on requests)
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
};

/** One DER element at off: where its content starts and where it ends. */
function element(der: Buffer, off: number): { tag: number; content: number; end: number } {
  if (off + 2 > der.length) throw new Error('truncated');
  const tag = der[off];
  let len = der[off + 1];
  let content = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || content + n > der.length) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[content + i];
    content += n;
  }
  if (content + len > der.length) throw new Error('truncated');
  return { tag, content, end: content + len };
}

/** The DER of the first PEM block of this type (or its legacy name). */
function pemBody(pem: string, types: string[]): Buffer {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('PEM block not found');
  if (!types.includes(m[1])) throw new Error(`PEM block type must be ${types[0]}`);
  return Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
}

/** DER → node-forge ASN.1, BIT STRINGs left as bytes (so the same bytes are written back). */
export function fromDer(b: Buffer): forge.asn1.Asn1 {
  const read = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, o: { decodeBitStrings: boolean }) => forge.asn1.Asn1;
  return read(forge.util.createBuffer(b.toString('binary')), { decodeBitStrings: false });
}

const oidAt = (der: Buffer, at: { content: number; end: number }) => forge.asn1.derToOid(forge.util.createBuffer(der.subarray(at.content, at.end).toString('binary')));

/** Parses a PEM CERTIFICATE REQUEST and checks its signature. Throws Error. */
export function parseCertificateRequest(pem: string): CertificateRequest {
  const der = pemBody(pem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  const outer = element(der, 0);
  if (outer.tag !== 0x30) throw new Error('not a PKCS#10 CertificationRequest');
  const info = element(der, outer.content);
  const sigAlg = element(der, info.end);
  const sigBits = element(der, sigAlg.end);
  if (info.tag !== 0x30 || sigAlg.tag !== 0x30 || sigBits.tag !== 0x03) throw new Error('not a PKCS#10 CertificationRequest');
  // CertificationRequestInfo: version, subject, subjectPKInfo, [0] attributes
  const version = element(der, info.content);
  const subject = element(der, version.end);
  const spkiAt = element(der, subject.end);
  const spki = der.subarray(subject.end, spkiAt.end);
  const algOid = oidAt(der, element(der, sigAlg.content));
  if (!(algOid in SIGNATURE_HASH)) throw new Error(`unsupported signature algorithm ${algOid}`);
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const signature = der.subarray(sigBits.content + 1, sigBits.end); // after the unused-bits byte
  if (!verify(SIGNATURE_HASH[algOid], der.subarray(outer.content, info.end), publicKey, signature)) throw new Error('the certificate request signature is invalid');
  const asn1 = (from: number, to: number) => fromDer(der.subarray(from, to));
  const pki = forge.pki as unknown as { RDNAttributesAsArray(rdn: forge.asn1.Asn1): forge.pki.CertificateField[]; CRIAttributesAsArray(a: forge.asn1.Asn1[]): any[] };
  const attrs = spkiAt.end < info.end ? (asn1(spkiAt.end, info.end).value as forge.asn1.Asn1[]) : [];
  const requested = pki.CRIAttributesAsArray(attrs).find((a) => a.name === 'extensionRequest');
  return { spki: Buffer.from(spki), publicKey, subject: pki.RDNAttributesAsArray(asn1(version.end, subject.end)), extensions: requested?.extensions ?? [] };
}

// node-forge writes RSA keys only: certificates are built with this stand-in, then given the request's key.
const STAND_IN_KEY = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));

/**
 * The PEM certificate for a node-forge certificate whose fields are set (all but its key), with the
 * request's SubjectPublicKeyInfo as its key, signed sha256WithRSAEncryption by the CA's RSA key.
 */
export function certificateForKey(cert: forge.pki.Certificate, spki: Buffer, caKey: forge.pki.rsa.PrivateKey): string {
  const { asn1 } = forge;
  cert.publicKey = STAND_IN_KEY;
  cert.siginfo.algorithmOid = cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  // TBSCertificate: [0] version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
  (tbs.value as forge.asn1.Asn1[])[6] = fromDer(spki);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const signature = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + caKey.sign(md));
  const der = asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [tbs, algorithm, signature]));
  return forge.pem.encode({ type: 'CERTIFICATE', body: der.getBytes() }, { maxline: 64 });
}
