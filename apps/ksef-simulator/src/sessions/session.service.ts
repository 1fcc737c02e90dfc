import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { generateReferenceNumber } from '@ksef-bridge/ksef-spec';
import type { AccessContext } from '../auth/access.service';
import { AccessService } from '../auth/access.service';
import { SimClock } from '../domain/clock';
import { randomPool } from '../domain/random-pool';
import { aes256CbcDecrypt, sha256Base64 } from '../domain/crypto/invoice-crypto';
import { KsefError, ksefException } from '../domain/ksef-error';
import { INVOICE_STATUS, SESSION_STATUS, type Status } from '../domain/statuses';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { AuthRepository } from '../infrastructure/auth.repository';
import { InvoiceRepository } from '../infrastructure/invoice.repository';
import { SessionRepository, type SessionRow } from '../infrastructure/session.repository';
import { KeyService } from '../security/key.service';
import { ProcessingQueue } from './processing-queue';
import { SessionLimitsService } from './session-limits.service';

export interface FormCode {
  systemCode: string;
  schemaVersion: string;
  value: string;
}

export interface SendInvoiceRequest {
  invoiceHash: string;
  invoiceSize: number;
  encryptedInvoiceHash: string;
  encryptedInvoiceSize: number;
  encryptedInvoiceContent: string;
  offlineMode?: boolean;
  hashOfCorrectedInvoice?: string | null;
}

/** What an open session needs on the hot path, cached in memory (PostgreSQL stays the source of truth). */
interface OpenSession {
  referenceNumber: string;
  type: 'Online' | 'Batch';
  contextType: string;
  contextValue: string;
  formCode: FormCode;
  aesKey: Buffer | null;
  iv: Buffer;
  statusCode: number;
  validUntil: number;
  invoiceCount: number;
  authReference: string;
}

const SESSION_TTL_MS = 12 * 3600_000;
export const UPO_PAGE_SIZE = 10_000;

/** Interactive sessions: open, send (real decryption and hash checks), close, finalization with UPO pages. */
@Injectable()
export class SessionService implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new Map<string, OpenSession>();
  private readonly finalizing = new Map<string, Promise<void>>();
  private readonly loading = new Map<string, Promise<OpenSession | undefined>>();

  constructor(
    private readonly sessions: SessionRepository,
    private readonly invoices: InvoiceRepository,
    private readonly auth: AuthRepository,
    private readonly keys: KeyService,
    private readonly limits: SessionLimitsService,
    private readonly processing: ProcessingQueue,
    private readonly clock: SimClock,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
  ) {}

  private sweeper: NodeJS.Timeout | undefined;

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.expireSessions().catch(() => undefined), 1_000);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /**
   * Sessions past their time: an online session past `validUntil` (12 h) is closed by the system (then processed as
   * if closed by the client); a batch session past its upload window is cancelled (440).
   */
  async expireSessions(): Promise<void> {
    const now = this.clock.date();
    for (const s of await this.sessions.expiredOpen(now)) {
      const open = this.cache.get(s.reference_number);
      if (s.session_type === 'Online') {
        if (open) {
          open.statusCode = 170;
          await this.sessions.setInvoiceCount(s.reference_number, open.invoiceCount);
        }
        await this.sessions.setStatus(s.reference_number, SESSION_STATUS.onlineClosed, now, { closedAt: now });
        await this.tryFinalize(s.reference_number);
      } else {
        await this.sessions.setStatus(s.reference_number, SESSION_STATUS.cancelledTimeout, now);
      }
    }
  }

  supportedForm(form: FormCode): boolean {
    if (form.value !== 'FA' || form.schemaVersion !== '1-0E') return false;
    return form.systemCode === 'FA (3)' || (form.systemCode === 'FA (2)' && this.settings.mode === 'test');
  }

  /** Decrypts the session key; a key that does not decrypt to 32 bytes yields a session in status 415 (as KSeF does). */
  decryptSessionKey(encryption: { encryptedSymmetricKey: string; initializationVector: string; publicKeyId?: string | null }): { key: Buffer | null; iv: Buffer } {
    const iv = Buffer.from(encryption.initializationVector, 'base64');
    if (iv.length !== 16) throw ksefException('validation', 'encryption.initializationVector: wektor inicjujący musi mieć 16 bajtów');
    let key: Buffer | null = null;
    try {
      key = this.keys.decrypt('SymmetricKeyEncryption', Buffer.from(encryption.encryptedSymmetricKey, 'base64'), encryption.publicKeyId);
    } catch (error) {
      if (error instanceof KsefError) throw error;
    }
    return { key: key && key.length === 32 ? key : null, iv };
  }

  async openOnline(ctx: AccessContext, formCode: FormCode, encryption: { encryptedSymmetricKey: string; initializationVector: string; publicKeyId?: string | null }) {
    if (!this.supportedForm(formCode)) throw ksefException('validation', `formCode: nieobsługiwany kod formularza ${formCode.systemCode} ${formCode.schemaVersion} ${formCode.value}`);
    const { key, iv } = this.decryptSessionKey(encryption);
    const now = this.clock.date();
    const referenceNumber = generateReferenceNumber('SO', now);
    const validUntil = new Date(now.getTime() + SESSION_TTL_MS);
    const status = key ? SESSION_STATUS.onlineOpen : SESSION_STATUS.keyDecryption;
    await this.sessions.create({
      reference_number: referenceNumber,
      session_type: 'Online',
      auth_reference: ctx.authReference,
      context_type: ctx.contextType,
      context_value: ctx.contextValue,
      form_code: formCode,
      aes_key: key,
      iv,
      status_code: status.code,
      status_description: status.description,
      created_at: now,
      valid_until: validUntil,
      offline_mode: false,
      batch: null,
    });
    return { referenceNumber, validUntil: validUntil.toISOString() };
  }

  /** Loads a session for a caller: 21173 when unknown, 403 when it belongs to another context. */
  async ownedSession(ctx: AccessContext, referenceNumber: string): Promise<SessionRow> {
    const row = await this.sessions.find(referenceNumber);
    if (!row) throw ksefException('sessionNotFound', `Sesja o numerze referencyjnym ${referenceNumber} nie została odnaleziona.`);
    AccessService.assertSameContext(ctx, row.context_type, row.context_value);
    return row;
  }

  /** Cached session state; concurrent first loads share one promise so the invoice counter exists once. */
  private openSession(referenceNumber: string): Promise<OpenSession | undefined> {
    const cached = this.cache.get(referenceNumber);
    if (cached) return Promise.resolve(cached);
    let loading = this.loading.get(referenceNumber);
    if (!loading) {
      loading = this.loadSession(referenceNumber).finally(() => this.loading.delete(referenceNumber));
      this.loading.set(referenceNumber, loading);
    }
    return loading;
  }

  private async loadSession(referenceNumber: string): Promise<OpenSession | undefined> {
    const row = await this.sessions.find(referenceNumber);
    if (!row) return undefined;
    const maxOrdinal = await this.sessions.maxOrdinal(referenceNumber);
    const open: OpenSession = {
      referenceNumber,
      type: row.session_type,
      contextType: row.context_type,
      contextValue: row.context_value,
      formCode: row.form_code,
      aesKey: row.aes_key,
      iv: row.iv,
      statusCode: row.status_code,
      validUntil: new Date(row.valid_until).getTime(),
      invoiceCount: Math.max(row.invoice_count, maxOrdinal),
      authReference: row.auth_reference,
    };
    this.cache.set(referenceNumber, open);
    return open;
  }

  /** Context of a session (processing needs it per invoice; served from the cache). */
  async contextOf(referenceNumber: string): Promise<{ contextType: string; contextValue: string; type: 'Online' | 'Batch' }> {
    const open = await this.openSession(referenceNumber);
    if (!open) throw new Error(`session ${referenceNumber} vanished`);
    return open;
  }

  async sendInvoice(ctx: AccessContext, referenceNumber: string, request: SendInvoiceRequest): Promise<{ referenceNumber: string }> {
    const session = await this.openSession(referenceNumber);
    if (!session || session.type !== 'Online') throw ksefException('sessionNotFound', `Sesja o numerze referencyjnym ${referenceNumber} nie została odnaleziona.`);
    AccessService.assertSameContext(ctx, session.contextType, session.contextValue);
    const now = this.clock.now();
    if (session.statusCode !== 100 || now > session.validUntil) {
      throw ksefException('sessionStatusForbids', `Status sesji ${session.statusCode} uniemożliwia wysyłkę faktur.`);
    }
    const limits = (await this.limits.forContext(session.contextType, session.contextValue)).onlineSession;
    if (session.invoiceCount >= limits.maxInvoices) {
      throw ksefException('sessionInvoiceLimit', `Sesja o numerze referencyjnym ${referenceNumber} osiągnęła dozwolony limit liczby faktur ${limits.maxInvoices}.`);
    }
    const encrypted = Buffer.from(request.encryptedInvoiceContent, 'base64');
    if (encrypted.length !== request.encryptedInvoiceSize) throw ksefException('wrongSize', 'Długość treści nie zgadza się z rozmiarem pliku.');
    if (sha256Base64(encrypted) !== request.encryptedInvoiceHash) throw ksefException('wrongHash', 'Skrót treści nie zgadza się ze skrótem pliku.');
    const maxPlain = limits.maxInvoiceWithAttachmentSizeInMB * 1_000_000;
    if (request.invoiceSize > maxPlain || encrypted.length > maxPlain + 16) {
      throw ksefException('wrongSize', `Rozmiar faktury przekracza dopuszczalny limit ${maxPlain} B.`);
    }
    let content: Buffer | null = null;
    if (session.aesKey) {
      try {
        content = aes256CbcDecrypt(session.aesKey, session.iv, encrypted);
      } catch {
        content = null; // reported asynchronously as invoice status 435, as KSeF does
      }
    }
    if (content) {
      if (content.length !== request.invoiceSize) throw ksefException('wrongSize', 'Długość treści nie zgadza się z rozmiarem pliku.');
      if (sha256Base64(content) !== request.invoiceHash) throw ksefException('wrongHash', 'Skrót treści nie zgadza się ze skrótem pliku.');
    }
    if (request.hashOfCorrectedInvoice) await this.checkTechnicalCorrection(ctx, request);
    const ordinal = ++session.invoiceCount;
    const invoiceReference = generateReferenceNumber('EE', new Date(now), randomPool.take(10));
    // A failed insert does not hand its ordinal back: concurrent submissions may hold later ones (a gap is harmless).
    const row = {
      reference_number: invoiceReference,
      session_reference: referenceNumber,
      ordinal,
      invoice_hash: request.invoiceHash,
      invoice_size: request.invoiceSize,
      invoice_file_name: null,
      content,
      invoicing_date: new Date(now),
      offline_mode: request.offlineMode ?? false,
      hash_of_corrected: request.hashOfCorrectedInvoice ?? null,
      form_code: session.formCode,
    };
    await this.invoices.insert(row);
    this.processing.enqueue(invoiceReference, referenceNumber, row);
    return { referenceNumber: invoiceReference };
  }

  /** Technical correction of a rejected offline invoice: 21166 when a valid one exists, 21167 when the original was accepted. */
  private async checkTechnicalCorrection(ctx: AccessContext, request: SendInvoiceRequest): Promise<void> {
    if (!request.offlineMode) throw ksefException('validation', 'hashOfCorrectedInvoice: korekta techniczna wymaga offlineMode = true');
    const originals = await this.invoices.findByHash(ctx, request.hashOfCorrectedInvoice as string);
    if (originals.some((o) => o.status_code === 200)) throw ksefException('technicalCorrectionNotAllowed', 'Nie można wysłać korekty technicznej do prawidłowo przetworzonej faktury.');
    const corrections = await this.invoices.corrections(request.hashOfCorrectedInvoice as string);
    if (corrections.some((c) => c.status_code === 200)) throw ksefException('technicalCorrectionUnavailable', 'Faktura posiada już przetworzoną prawidłowo korektę techniczną.');
  }

  async closeOnline(ctx: AccessContext, referenceNumber: string): Promise<void> {
    const row = await this.ownedSession(ctx, referenceNumber);
    if (row.session_type !== 'Online') throw ksefException('sessionNotFound', `Sesja o numerze referencyjnym ${referenceNumber} nie została odnaleziona.`);
    if (row.status_code !== 100) throw ksefException('sessionStatusForbids', `Status sesji ${row.status_code} uniemożliwia jej zamknięcie.`);
    const open = await this.openSession(referenceNumber);
    const now = this.clock.date();
    if (open) {
      open.statusCode = 170;
      await this.sessions.setInvoiceCount(referenceNumber, open.invoiceCount);
    }
    await this.sessions.setStatus(referenceNumber, SESSION_STATUS.onlineClosed, now, { closedAt: now });
    await this.tryFinalize(referenceNumber);
  }

  /** Once a closed session has no invoice in processing: 200 with UPO pages, 445 (none valid) or 440 (none sent). */
  tryFinalize(referenceNumber: string): Promise<void> {
    // An interactive session still open (the cache learns of every close first) has nothing to finalize: skip the
    // query processing would otherwise make per session and batch.
    const open = this.cache.get(referenceNumber);
    if (open?.type === 'Online' && open.statusCode === 100 && this.clock.now() <= open.validUntil) return Promise.resolve();
    const running = this.finalizing.get(referenceNumber);
    if (running) return running.then(() => this.tryFinalize(referenceNumber));
    const job = this.finalize(referenceNumber).finally(() => this.finalizing.delete(referenceNumber));
    this.finalizing.set(referenceNumber, job);
    return job;
  }

  private async finalize(referenceNumber: string): Promise<void> {
    const row = await this.sessions.find(referenceNumber);
    if (!row || (row.status_code !== 170 && row.status_code !== 150)) return;
    if (row.session_type === 'Batch' && !(row.batch as { extracted?: boolean } | null)?.extracted) return;
    const counts = await this.sessions.counts(referenceNumber);
    if (counts.pending > 0) return;
    const now = this.clock.date();
    let status: Status;
    let upoReference: string | undefined;
    if (counts.total === 0) status = SESSION_STATUS.cancelledNoInvoices;
    else if (counts.successful === 0) status = SESSION_STATUS.noValidInvoices;
    else {
      status = row.session_type === 'Batch' ? SESSION_STATUS.batchProcessed : SESSION_STATUS.onlineProcessed;
      const pages = Math.ceil(counts.successful / UPO_PAGE_SIZE);
      upoReference = Array.from({ length: pages }, () => generateReferenceNumber('EU', now)).join(',');
    }
    await this.sessions.setStatus(referenceNumber, status, now, { upoReference });
    const open = this.cache.get(referenceNumber);
    if (open) open.statusCode = status.code;
    this.cache.delete(referenceNumber);
  }

  async awaitingFinalizationRefs(): Promise<string[]> {
    return this.sessions.awaitingFinalization();
  }

  /** Invoice status 150 is derived: an invoice at 100 is "processing" once one processing delay has passed. */
  effectiveInvoiceStatus(code: number, invoicingDate: Date): number {
    if (code === 100 && this.clock.now() >= new Date(invoicingDate).getTime() + this.settings.processingDelayMs) return INVOICE_STATUS.processing.code;
    return code;
  }

  async authDetails(authReference: string): Promise<{ tokenReference?: string; authDocumentHash?: string }> {
    const op = await this.auth.find(authReference);
    return { tokenReference: op?.token_reference ?? undefined, authDocumentHash: op?.auth_document_hash ?? undefined };
  }
}
