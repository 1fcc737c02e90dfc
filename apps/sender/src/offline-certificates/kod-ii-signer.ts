import type { EntityManager } from 'typeorm';
import { PermanentError } from '@ksef-bridge/errors';
import { KSEF_QR_BASE_URLS, type KsefEnvironment } from '@ksef-bridge/ksef-client';
import { kodIICode, type SigningAlgorithm } from '@ksef-bridge/qr-codes';
import type { KsefContextRepository } from '../contexts/ksef-context.repository';
import type { TokenCipher } from '../contexts/token-cipher';
import { offlineKeyContext, type OfflineCertificateRepository } from './offline-certificate.repository';

export interface KodIIRequest {
  tenantId: string;
  contextNip: string;
  sellerNip: string;
  /** SHA-256 of the exact invoice bytes, standard Base64 (as `invoiceHash` in the contracts and KSeF). */
  invoiceHash: string;
  environment: KsefEnvironment;
}

export interface SignedKodII {
  url: string;
  caption: string;
  certificateSerial: string;
  algorithm: SigningAlgorithm;
  certificateValidTo: string;
}

/** Refusals of the signer; `status` is what the internal API answers. */
export class KodIIRefusal extends PermanentError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, { details });
  }
}

const NIP = /^\d{10}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** The request body of `POST /internal/v1/ksef-contexts/{nip}/kod-ii`, checked; the NIP comes from the path. */
export function parseKodIIRequest(contextNip: string, body: unknown): KodIIRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const bad = (message: string) => new KodIIRefusal(400, 'REQUEST_INVALID', message);
  if (!NIP.test(contextNip)) throw bad('the context NIP must be 10 digits');
  if (typeof b['tenantId'] !== 'string' || b['tenantId'].length === 0 || b['tenantId'].length > 200) throw bad('tenantId is required');
  if (typeof b['sellerNip'] !== 'string' || !NIP.test(b['sellerNip'])) throw bad('sellerNip must be 10 digits');
  if (typeof b['invoiceHash'] !== 'string' || !BASE64_SHA256.test(b['invoiceHash'])) throw bad('invoiceHash must be the Base64 SHA-256 of the invoice file');
  const environment = b['environment'] ?? 'production';
  if (typeof environment !== 'string' || !(environment in KSEF_QR_BASE_URLS)) throw bad(`environment must be one of ${Object.keys(KSEF_QR_BASE_URLS).join(', ')}`);
  return { tenantId: b['tenantId'], contextNip, sellerNip: b['sellerNip'], invoiceHash: b['invoiceHash'], environment: environment as KsefEnvironment };
}

/**
 * Signs KOD II links with a context's Offline certificate. The sender is the only service that holds KSeF secrets:
 * the key is opened here for one signature and never leaves the process; callers get the link only. A context of
 * another tenant answers like an unknown one (NIPs are not an oracle across tenants).
 */
export class KodIISigner {
  constructor(
    private readonly contexts: KsefContextRepository,
    private readonly certificates: OfflineCertificateRepository,
    private readonly cipher: TokenCipher,
  ) {}

  async sign(manager: EntityManager, request: KodIIRequest, now = new Date()): Promise<SignedKodII> {
    const context = await this.contexts.find(manager, request.contextNip);
    if (!context || !context.enabled || context.tenantId !== request.tenantId) {
      throw new KodIIRefusal(404, 'KSEF_CONTEXT_UNKNOWN', `No enabled KSeF context ${request.contextNip} of this tenant is registered in the sender`);
    }
    const certificate = await this.certificates.find(manager, request.contextNip);
    if (!certificate) {
      throw new KodIIRefusal(404, 'OFFLINE_CERTIFICATE_MISSING', `KSeF context ${request.contextNip} has no Offline certificate registered (register-offline-certificate)`);
    }
    const validity = { serial: certificate.serial, validFrom: certificate.validFrom.toISOString(), validTo: certificate.validTo.toISOString() };
    if (now > certificate.validTo) {
      throw new KodIIRefusal(409, 'OFFLINE_CERTIFICATE_EXPIRED', `The Offline certificate ${certificate.serial} of context ${request.contextNip} expired at ${validity.validTo}`, validity);
    }
    if (now < certificate.validFrom) {
      throw new KodIIRefusal(409, 'OFFLINE_CERTIFICATE_NOT_YET_VALID', `The Offline certificate ${certificate.serial} of context ${request.contextNip} is valid from ${validity.validFrom}`, validity);
    }
    const privateKey = this.cipher.decrypt(certificate.sealedKey, offlineKeyContext(request.contextNip));
    const code = kodIICode({
      environment: request.environment,
      contextType: 'Nip',
      contextValue: request.contextNip,
      sellerNip: request.sellerNip,
      invoiceHash: request.invoiceHash,
      certificate: certificate.certificatePem,
      privateKey,
      certificateSerial: certificate.serial,
      at: now,
    });
    return { url: code.url, caption: code.caption, certificateSerial: certificate.serial, algorithm: certificate.algorithm, certificateValidTo: validity.validTo };
  }
}
