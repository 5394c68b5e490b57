// Test PKI: a self-signed CA and certificate requests, made with node-forge.
import { generateKeyPairSync, sign } from 'node:crypto';
import forge from 'node-forge';

export interface TestCA {
  cert: string;
  key: string;
}

const rsa = () => forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });

export function makeCA(cn = 'kubernetes', days = 3650): TestCA {
  const keys = rsa();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86400_000);
  const attrs = [{ name: 'commonName', value: cn }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A PEM CERTIFICATE REQUEST for CN/O (and optional DNS SANs), with its private key. */
export function makeCSR(cn: string, orgs: string[] = [], dns: string[] = []): { csr: string; key: string } {
  const keys = rsa();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: cn }, ...orgs.map((o) => ({ name: 'organizationName', value: o }))]);
  if (dns.length) csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: dns.map((value) => ({ type: 2, value })) }] }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return { csr: forge.pki.certificationRequestToPem(csr), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A serving certificate for 127.0.0.1 / localhost signed by the CA (kubectl sends tokens only over TLS). */
export function makeServingCert(ca: TestCA): { cert: string; key: string } {
  const keys = rsa();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86400_000);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/**
 * A PEM CERTIFICATE REQUEST for an ECDSA or Ed25519 key (node-forge writes RSA requests only: its
 * CertificationRequestInfo is built with a stand-in key, the real SubjectPublicKeyInfo put in, and
 * the whole signed with node:crypto), with its private key in PEM.
 */
export function makeKeyCSR(cn: string, orgs: string[], key: { type: 'ec'; curve: 'P-256' | 'P-384' } | { type: 'ed25519' }, dns: string[] = []): { csr: string; key: string } {
  const pair = key.type === 'ec' ? generateKeyPairSync('ec', { namedCurve: key.curve }) : generateKeyPairSync('ed25519');
  const [hash, sigOid] = key.type === 'ed25519' ? [null, '1.3.101.112'] : key.curve === 'P-256' ? ['sha256', '1.2.840.10045.4.3.2'] : ['sha384', '1.2.840.10045.4.3.3'];
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
  csr.setSubject([{ name: 'commonName', value: cn }, ...orgs.map((o) => ({ name: 'organizationName', value: o }))]);
  if (dns.length) csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: dns.map((value) => ({ type: 2, value })) }] }]);
  const { asn1 } = forge;
  const info = (forge.pki as any).getCertificationRequestInfo(csr) as forge.asn1.Asn1;
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  (info.value as forge.asn1.Asn1[])[2] = asn1.fromDer(forge.util.createBuffer(spki.toString('binary')));
  const infoDer = Buffer.from(asn1.toDer(info).getBytes(), 'binary');
  const signature = sign(hash, infoDer, pair.privateKey);
  const der = asn1.toDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      info,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(sigOid).getBytes())]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature.toString('binary')),
    ]),
  );
  return { csr: forge.pem.encode({ type: 'CERTIFICATE REQUEST', body: der.getBytes() }), key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
