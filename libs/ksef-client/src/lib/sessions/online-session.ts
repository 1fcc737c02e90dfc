import { encryptInvoice, type PreparedInvoice, type SymmetricKey } from '../crypto/ksef-crypto';
import { invoiceOutcome, type InvoiceOutcome } from '../invoices/invoice-outcome';
import type { FormCode, SessionInvoiceStatusResponse, SessionStatusResponse } from '../model/ksef-api.types';
import type { KsefClient, WaitOptions } from '../ksef-client';

/** An invoice encrypted for one session, with the hashes the caller should record before sending. */
export interface PreparedSessionInvoice extends PreparedInvoice {
  offlineMode?: boolean;
  hashOfCorrectedInvoice?: string;
}

export interface SentInvoice {
  /** Reference number of the invoice in the session (`EE`): poll its status with it. */
  referenceNumber: string;
  /** SHA-256 (Base64) of the plain invoice: the reconciliation key when the answer to a send was lost. */
  invoiceHash: string;
  sessionReferenceNumber: string;
}

/** What a caller must persist to continue sending into a session after a restart. Contains the AES key: a secret. */
export interface OnlineSessionState {
  referenceNumber: string;
  validUntil: string;
  formCode: FormCode;
  /** Base64 AES-256 key. Store encrypted at rest; never log. */
  symmetricKey: string;
  /** Base64 IV. */
  initializationVector: string;
}

/**
 * An open interactive session (`SO`): one AES key and IV for every invoice sent in it. Created by
 * `KsefClient.openOnlineSession` or restored with `KsefClient.resumeOnlineSession`.
 */
export class OnlineSession {
  constructor(
    private readonly client: KsefClient,
    readonly referenceNumber: string,
    readonly validUntil: string,
    readonly formCode: FormCode,
    private readonly symmetric: SymmetricKey,
  ) {}

  /** Encrypts and hashes an invoice file (bytes exactly as they must be stored; UTF-8 without BOM). */
  prepareInvoice(invoice: Buffer | string, options: { offlineMode?: boolean; hashOfCorrectedInvoice?: string } = {}): PreparedSessionInvoice {
    const bytes = typeof invoice === 'string' ? Buffer.from(invoice, 'utf8') : invoice;
    return { ...encryptInvoice(bytes, this.symmetric), ...options };
  }

  /**
   * Sends an invoice (`POST /sessions/online/{ref}/invoices`). A 202 means received, not accepted: follow
   * `waitForInvoice`. On KsefAmbiguousError call `findInvoiceByHash` before sending again.
   */
  async sendInvoice(invoice: Buffer | string | PreparedSessionInvoice, options: { offlineMode?: boolean; hashOfCorrectedInvoice?: string; signal?: AbortSignal } = {}): Promise<SentInvoice> {
    const prepared = typeof invoice === 'string' || Buffer.isBuffer(invoice) ? this.prepareInvoice(invoice, options) : invoice;
    const response = await this.client.sendInvoiceRaw(this.referenceNumber, prepared, options.signal);
    return { referenceNumber: response.referenceNumber, invoiceHash: prepared.invoiceHash, sessionReferenceNumber: this.referenceNumber };
  }

  /** Closes the session (`POST …/close`, 204); KSeF then generates the session UPO. */
  close(signal?: AbortSignal): Promise<void> {
    return this.client.closeOnlineSession(this.referenceNumber, signal);
  }

  status(signal?: AbortSignal): Promise<SessionStatusResponse> {
    return this.client.getSessionStatus(this.referenceNumber, signal);
  }

  invoiceStatus(invoiceReferenceNumber: string, signal?: AbortSignal): Promise<SessionInvoiceStatusResponse> {
    return this.client.getInvoiceStatus(this.referenceNumber, invoiceReferenceNumber, signal);
  }

  waitForInvoice(invoiceReferenceNumber: string, options?: WaitOptions): Promise<InvoiceOutcome> {
    return this.client.waitForInvoiceOutcome(this.referenceNumber, invoiceReferenceNumber, options);
  }

  /** Looks the invoice up in this session's invoice list by its hash: the reconciliation step after an ambiguous send. */
  findInvoiceByHash(invoiceHash: string, signal?: AbortSignal): Promise<SessionInvoiceStatusResponse | undefined> {
    return this.client.findSessionInvoiceByHash(this.referenceNumber, invoiceHash, signal);
  }

  /** Outcome of an invoice status already fetched. */
  static outcome(status: SessionInvoiceStatusResponse): InvoiceOutcome {
    return invoiceOutcome(status);
  }

  /** Everything needed to resume this session elsewhere. The result holds the AES key: treat it as a secret. */
  exportState(): OnlineSessionState {
    return {
      referenceNumber: this.referenceNumber,
      validUntil: this.validUntil,
      formCode: this.formCode,
      symmetricKey: this.symmetric.key.toString('base64'),
      initializationVector: this.symmetric.iv.toString('base64'),
    };
  }

  /** Keeps the key out of `console.log`, JSON and loggers. */
  toJSON(): Record<string, unknown> {
    return { referenceNumber: this.referenceNumber, validUntil: this.validUntil, formCode: this.formCode };
  }
}
