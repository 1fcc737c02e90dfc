import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, constants, type KeyObject } from 'node:crypto';
import * as forge from 'node-forge';

export type KeyUsage = 'KsefTokenEncryption' | 'SymmetricKeyEncryption';

/** One of the simulator's own key pairs with its self-signed certificate, as published by /security/public-key-certificates. */
export interface SimulatorKey {
  usage: KeyUsage;
  privateKeyPem: string;
  certificateDer: Buffer;
  /** Base64 SHA-256 of the certificate DER. */
  certificateId: string;
  /** Base64 SHA-256 of the DER SubjectPublicKeyInfo. */
  publicKeyId: string;
  validFrom: Date;
  validTo: Date;
}

/** Stored form (PEM + DER Base64), so the keys survive restarts and previously encrypted tokens stay decryptable. */
export interface StoredKey {
  usage: KeyUsage;
  privateKeyPem: string;
  certificateDerBase64: string;
  validFrom: string;
  validTo: string;
}

/** Generates an RSA-2048 key (node:crypto, fast) and a self-signed X.509 certificate for it (node-forge). */
export function generateSimulatorKey(usage: KeyUsage, now: Date): StoredKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${createHash('sha256').update(privateKeyPem).digest('hex').slice(0, 30)}`;
  const validFrom = new Date(now.getTime() - 86_400_000);
  const validTo = new Date(now.getTime() + 2 * 365 * 86_400_000);
  cert.validity.notBefore = validFrom;
  cert.validity.notAfter = validTo;
  const name = [
    { name: 'commonName', value: `KSeF simulator ${usage}` },
    { name: 'organizationName', value: 'ksef-bridge simulator' },
    { name: 'countryName', value: 'PL' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'keyUsage', keyEncipherment: true, dataEncipherment: true }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { usage, privateKeyPem, certificateDerBase64: der.toString('base64'), validFrom: validFrom.toISOString(), validTo: validTo.toISOString() };
}

export function loadSimulatorKey(stored: StoredKey): SimulatorKey & { privateKey: KeyObject } {
  const certificateDer = Buffer.from(stored.certificateDerBase64, 'base64');
  const privateKey = createPrivateKey(stored.privateKeyPem);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    usage: stored.usage,
    privateKeyPem: stored.privateKeyPem,
    privateKey,
    certificateDer,
    certificateId: createHash('sha256').update(certificateDer).digest('base64'),
    publicKeyId: createHash('sha256').update(spki).digest('base64'),
    validFrom: new Date(stored.validFrom),
    validTo: new Date(stored.validTo),
  };
}

/** RSA-OAEP with SHA-256 and MGF1-SHA-256, as KSeF uses for KSeF tokens and AES keys. Throws on failure. */
export function rsaOaepSha256Decrypt(privateKey: KeyObject, ciphertext: Buffer): Buffer {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);
}
