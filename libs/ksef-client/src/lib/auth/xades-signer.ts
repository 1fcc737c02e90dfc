import { X509Certificate, createHash, createPrivateKey, createSign, createVerify, randomUUID, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** The signing identity the caller provides: an X.509 certificate and its private key (RSA ≥ 2048 or EC ≥ P-256). */
export interface XadesSigningCredentials {
  /** PEM, or DER as a Buffer. */
  certificate: string | Buffer;
  /** PEM (PKCS#8 or PKCS#1 / SEC1), or a KeyObject. */
  privateKey: string | Buffer | KeyObject;
}

export interface XadesSignOptions {
  /** Signing time written into SignedProperties. Default now. */
  signingTime?: Date;
}

/**
 * ECDSA-SHA256 for xml-crypto (which ships RSA only). XML-DSig wants the raw `r‖s` encoding (IEEE P1363),
 * which is also what KSeF expects, not DER.
 */
class EcdsaSha256 {
  getSignature(signedInfo: string | Buffer, privateKey: string | Buffer | KeyObject): string {
    return createSign('SHA256').update(signedInfo).sign({ key: privateKey as KeyObject, dsaEncoding: 'ieee-p1363' }, 'base64');
  }
  verifySignature(material: string, key: string | Buffer | KeyObject, signatureValue: string): boolean {
    return createVerify('SHA256').update(material).verify({ key: key as KeyObject, dsaEncoding: 'ieee-p1363' }, signatureValue, 'base64');
  }
  getAlgorithmName(): string {
    return ECDSA_SHA256;
  }
}

/**
 * Signs an XML document (the `AuthTokenRequest`) with an enveloped XAdES-BES signature: SignedInfo over the whole
 * document (enveloped-signature + exclusive C14N) and over xades:SignedProperties (signing time, signing-certificate
 * digest). Exclusive C14N because xml-crypto lacks C14N 1.1; KSeF accepts exclusive C14N (auth/podpis-xades.md).
 * The private key stays in memory and is never logged.
 */
export function signXades(xml: string, credentials: XadesSigningCredentials, options: XadesSignOptions = {}): string {
  const certificate = new X509Certificate(credentials.certificate);
  const privateKey = typeof credentials.privateKey === 'object' && 'asymmetricKeyType' in credentials.privateKey
    ? (credentials.privateKey as KeyObject)
    : createPrivateKey(credentials.privateKey as string | Buffer);
  const keyType = privateKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new RangeError(`unsupported key type ${keyType}: use RSA or EC`);

  const id = randomUUID();
  const signatureId = `Signature-${id}`;
  const signedPropertiesId = `SignedProperties-${id}`;
  const certDer = certificate.raw;
  const certDigest = createHash('sha256').update(certDer).digest('base64');
  const signingTime = (options.signingTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const qualifyingProperties =
    `<xades:QualifyingProperties xmlns:xades="${XADES_NS}" Target="#${signatureId}">` +
    `<xades:SignedProperties Id="${signedPropertiesId}"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${signingTime}</xades:SigningTime>` +
    `<xades:SigningCertificate><xades:Cert><xades:CertDigest>` +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${certDigest}</ds:DigestValue>` +
    `</xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>${escapeXml(rfc4514(certificate.issuer))}</ds:X509IssuerName>` +
    `<ds:X509SerialNumber>${BigInt(`0x${certificate.serialNumber}`).toString(10)}</ds:X509SerialNumber></xades:IssuerSerial>` +
    `</xades:Cert></xades:SigningCertificate></xades:SignedSignatureProperties></xades:SignedProperties>` +
    `</xades:QualifyingProperties>`;

  const pemKey = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const signer = new SignedXml({
    privateKey: pemKey,
    publicCert: certificate.toString(),
    signatureAlgorithm: keyType === 'ec' ? ECDSA_SHA256 : RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    objects: [{ content: qualifyingProperties }],
    getKeyInfoContent: (args) => {
      const p = args?.prefix ? `${args.prefix}:` : '';
      return `<${p}X509Data><${p}X509Certificate>${certDer.toString('base64')}</${p}X509Certificate></${p}X509Data>`;
    },
  });
  (signer.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = EcdsaSha256;
  signer.addReference({ xpath: '/*', isEmptyUri: true, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  signer.addReference({
    xpath: `//*[local-name(.)='SignedProperties' and namespace-uri(.)='${XADES_NS}']`,
    transforms: [EXC_C14N],
    digestAlgorithm: SHA256,
    type: 'http://uri.etsi.org/01903#SignedProperties',
  });
  signer.computeSignature(xml, { prefix: 'ds', attrs: { Id: signatureId }, location: { reference: '/*', action: 'append' } });
  return signer.getSignedXml();
}

/**
 * Verifies a document signed by `signXades` (or any enveloped XML-DSig with an embedded certificate): our own
 * round-trip check, used in tests and to fail early on a broken key/certificate pair.
 */
export function verifyXadesSignature(signedXml: string): boolean {
  const match = /<(?:\w+:)?X509Certificate>([^<]+)<\/(?:\w+:)?X509Certificate>/.exec(signedXml);
  if (!match) return false;
  const cert = new X509Certificate(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
  const verifier = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
  (verifier.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = EcdsaSha256;
  const sigMatch = new RegExp(`<ds:Signature[\\s\\S]*</ds:Signature>`).exec(signedXml);
  if (!sigMatch) return false;
  verifier.loadSignature(sigMatch[0]);
  try {
    return verifier.checkSignature(signedXml);
  } catch {
    return false;
  }
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Node prints a DN one RDN per line, most significant first; XML-DSig wants RFC 4514 (reversed, comma-separated). */
function rfc4514(dn: string): string {
  return dn
    .split('\n')
    .filter(Boolean)
    .reverse()
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      const value = rdn.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1');
      return `${rdn.slice(0, eq)}=${value}`;
    })
    .join(',');
}

export { DS_NS as XMLDSIG_NAMESPACE };
