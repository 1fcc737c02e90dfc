import { createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import type { AllowedIps } from '../ip-policy';
import { C14nCanonicalization, C14nCanonicalizationWithComments, SignedXml } from 'xml-crypto';

const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** ECDSA for XML-DSig (raw r‖s, IEEE P1363), which xml-crypto does not ship. */
function ecdsa(hash: string, uri: string) {
  return class {
    getSignature(): string {
      throw new Error('verification only');
    }
    verifySignature(material: string, key: string | Buffer | KeyObject, signatureValue: string): boolean {
      return createVerify(hash).update(material).verify({ key: key as KeyObject, dsaEncoding: 'ieee-p1363' }, signatureValue, 'base64');
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
}

export type XadesCheck =
  | { ok: true; certificate: X509Certificate; unsignedXml: string; signedContent: string[]; allowedIps?: AllowedIps }
  | { ok: false; code: 9101 | 9102 | 9103 | 9105 | 21001 | 21115; reason: string };

/**
 * Verifies an enveloped XML signature for real with xml-crypto: the signature value over SignedInfo with the public
 * key of the embedded certificate, and every Reference digest. C14N 1.1 (which KSeF accepts and xml-crypto lacks) is
 * served by the C14N 1.0 implementation: for documents without xml:id/xml:base fix-ups both give the same bytes.
 * Returns the document without its Signature (to validate against the auth XSD, which has no place for it).
 */
export function verifyEnvelopedSignature(xml: string): XadesCheck {
  let doc: Document;
  try {
    const errors: string[] = [];
    doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(xml, 'text/xml');
    if (errors.length || !doc.documentElement) return { ok: false, code: 21001, reason: errors.join('; ') || 'empty document' };
  } catch (error) {
    return { ok: false, code: 21001, reason: error instanceof Error ? error.message : String(error) };
  }
  const signatures: Element[] = Array.from(doc.getElementsByTagNameNS(DS_NS, 'Signature'));
  if (!signatures.length) return { ok: false, code: 9102, reason: 'Brak podpisu.' };
  if (signatures.length > 1) return { ok: false, code: 9103, reason: 'Przekroczona liczba dozwolonych podpisów.' };
  const signature = signatures[0];
  const certText = signature.getElementsByTagNameNS(DS_NS, 'X509Certificate')[0]?.textContent?.replace(/\s+/g, '');
  if (!certText) return { ok: false, code: 21115, reason: 'Brak certyfikatu w KeyInfo.' };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(certText, 'base64'));
  } catch {
    return { ok: false, code: 21115, reason: 'Nieprawidłowy certyfikat.' };
  }
  const verifier = new SignedXml({ publicCert: certificate.toString(), getCertFromKeyInfo: () => null });
  const c14n = verifier.CanonicalizationAlgorithms as Record<string, unknown>;
  c14n['http://www.w3.org/2006/12/xml-c14n11'] = C14nCanonicalization;
  c14n['http://www.w3.org/2006/12/xml-c14n11#WithComments'] = C14nCanonicalizationWithComments;
  const algorithms = verifier.SignatureAlgorithms as Record<string, unknown>;
  algorithms['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256'] = ecdsa('SHA256', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
  algorithms['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384'] = ecdsa('SHA384', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384');
  algorithms['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512'] = ecdsa('SHA512', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512');
  try {
    verifier.loadSignature(signature as never);
    if (!verifier.checkSignature(xml)) return { ok: false, code: 9105, reason: 'Nieprawidłowy podpis.' };
  } catch (error) {
    return { ok: false, code: 9105, reason: `Nieprawidłowy podpis: ${error instanceof Error ? error.message : String(error)}` };
  }
  signature.parentNode?.removeChild(signature);
  const unsignedXml = new XMLSerializer().serializeToString(doc);
  return { ok: true, certificate, unsignedXml, signedContent: verifier.getSignedReferences(), allowedIps: allowedIpsOf(doc) };
}

/** `AuthorizationPolicy/AllowedIps` of an AuthTokenRequest (Ip4Address, Ip4Range, Ip4Mask), if present. */
function allowedIpsOf(doc: Document): AllowedIps | undefined {
  const texts = (name: string) =>
    Array.from(doc.getElementsByTagName('*'))
      .filter((e) => e.localName === name)
      .map((e) => (e.textContent ?? '').trim());
  const policy = { ip4Addresses: texts('Ip4Address'), ip4Ranges: texts('Ip4Range'), ip4Masks: texts('Ip4Mask') };
  return policy.ip4Addresses.length || policy.ip4Ranges.length || policy.ip4Masks.length ? policy : undefined;
}

/** Who the certificate names (auth/podpis-xades.md): seals by organizationIdentifier, persons by serialNumber. */
export type CertificateIdentity = { kind: 'nip'; value: string; seal: boolean } | { kind: 'pesel'; value: string } | { kind: 'fingerprint'; value: string };

export function certificateIdentity(certificate: X509Certificate, fingerprintOnly = false): CertificateIdentity {
  const fingerprint = certificate.fingerprint256.replace(/:/g, '').toUpperCase();
  if (fingerprintOnly) return { kind: 'fingerprint', value: fingerprint };
  const lines = certificate.subject.split('\n');
  const attr = (names: string[]): string | undefined => {
    const line = lines.find((l) => names.includes(l.slice(0, l.indexOf('='))));
    return line === undefined ? undefined : line.slice(line.indexOf('=') + 1);
  };
  const org = attr(['organizationIdentifier', '2.5.4.97']);
  const seal = org && /(VATPL).*?(\d{10})/.exec(org);
  if (seal) return { kind: 'nip', value: seal[2], seal: true };
  const serial = attr(['serialNumber', '2.5.4.5']);
  const pesel = serial && /(PNOPL|PESEL).*?(\d{11})/.exec(serial);
  if (pesel) return { kind: 'pesel', value: pesel[2] };
  const nip = serial && /(TINPL|NIP).*?(\d{10})/.exec(serial);
  if (nip) return { kind: 'nip', value: nip[2], seal: false };
  return { kind: 'fingerprint', value: fingerprint };
}
