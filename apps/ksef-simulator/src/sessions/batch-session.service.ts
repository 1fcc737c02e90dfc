import { safeError } from '../domain/safe-error';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { generateReferenceNumber } from '@ksef-bridge/ksef-spec';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import type { AccessContext } from '../auth/access.service';
import { unpackPackage, type PackageFile } from '../domain/batch/package-unpacker';
import { SimClock } from '../domain/clock';
import { aes256CbcDecrypt, sha256Base64 } from '../domain/crypto/invoice-crypto';
import { KsefError, ksefException } from '../domain/ksef-error';
import { SESSION_STATUS, type Status } from '../domain/statuses';
import { SignedUrlService } from '../http/signed-url.service';
import { BatchRepository } from '../infrastructure/batch.repository';
import { InvoiceRepository } from '../infrastructure/invoice.repository';
import { SessionRepository, type SessionRow } from '../infrastructure/session.repository';
import { ProcessingQueue } from './processing-queue';
import { SessionLimitsService } from './session-limits.service';
import { SessionService, type FormCode } from './session.service';

export interface BatchMeta {
  fileSize: number;
  fileHash: string;
  compressionType: 'Zip' | 'TarGz';
  parts: { ordinalNumber: number; fileSize: number; fileHash: string }[];
  uploadDeadline: string;
  /** Set once every invoice of the package is stored (so a restart does not unpack twice). */
  extracted?: boolean;
}

const MAX_PARTS = 50;
const MAX_PART_BYTES = 100 * 1024 * 1024;
const PART_WINDOW_MS = 20 * 60_000;

/** Batch sessions: open with package metadata, part uploads on the simulator's own host, close -> unpack -> process. */
@Injectable()
export class BatchSessionService implements OnModuleInit {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly batches: BatchRepository,
    private readonly invoices: InvoiceRepository,
    private readonly sessionService: SessionService,
    private readonly limits: SessionLimitsService,
    private readonly queue: ProcessingQueue,
    private readonly urls: SignedUrlService,
    private readonly clock: SimClock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    // Batches closed before a restart but not yet unpacked are unpacked now.
    for (const ref of await this.sessions.awaitingFinalization()) {
      const row = await this.sessions.find(ref);
      if (row?.session_type === 'Batch' && !(row.batch as BatchMeta).extracted) void this.process(ref);
    }
  }

  async open(
    req: FastifyRequest,
    ctx: AccessContext,
    request: { formCode: FormCode; batchFile: Omit<BatchMeta, 'uploadDeadline' | 'parts' | 'compressionType'> & { compressionType?: 'Zip' | 'TarGz' | null; fileParts: BatchMeta['parts'] }; encryption: { encryptedSymmetricKey: string; initializationVector: string; publicKeyId?: string | null }; offlineMode?: boolean },
  ) {
    if (!this.sessionService.supportedForm(request.formCode)) throw ksefException('validation', `formCode: nieobsługiwany kod formularza ${request.formCode.systemCode}`);
    const parts = request.batchFile.fileParts;
    if (parts.length > MAX_PARTS) throw KsefError.exception(21161, 'Przekroczono dozwoloną liczbę części pakietu.', `Dozwolone ${MAX_PARTS} części, zadeklarowano ${parts.length}.`);
    const ordinals = parts.map((p) => p.ordinalNumber).sort((a, b) => a - b);
    if (ordinals.some((o, i) => o !== i + 1)) throw ksefException('validation', 'batchFile.fileParts: numery porządkowe muszą być kolejne od 1');
    const oversize = parts.find((p) => p.fileSize > MAX_PART_BYTES + 16 || p.fileSize <= 0);
    if (oversize) throw KsefError.exception(21157, 'Nieprawidłowy rozmiar części pakietu.', `Część ${oversize.ordinalNumber}: ${oversize.fileSize} B (dozwolone 1..${MAX_PART_BYTES} B).`);
    const { key, iv } = this.sessionService.decryptSessionKey(request.encryption);
    const now = this.clock.date();
    const referenceNumber = generateReferenceNumber('SB', now);
    const deadline = new Date(now.getTime() + parts.length * PART_WINDOW_MS);
    const batch: BatchMeta = {
      fileSize: request.batchFile.fileSize,
      fileHash: request.batchFile.fileHash,
      compressionType: request.batchFile.compressionType ?? 'Zip',
      parts,
      uploadDeadline: deadline.toISOString(),
    };
    const status = key ? SESSION_STATUS.batchStarted : SESSION_STATUS.keyDecryption;
    await this.sessions.create({
      reference_number: referenceNumber,
      session_type: 'Batch',
      auth_reference: ctx.authReference,
      context_type: ctx.contextType,
      context_value: ctx.contextValue,
      form_code: request.formCode,
      aes_key: key,
      iv,
      status_code: status.code,
      status_description: status.description,
      created_at: now,
      valid_until: deadline,
      offline_mode: request.offlineMode ?? false,
      batch,
    });
    return {
      referenceNumber,
      partUploadRequests: parts.map((p) => ({
        ordinalNumber: p.ordinalNumber,
        method: 'PUT',
        url: this.urls.url(req, `batch/${referenceNumber}/${p.ordinalNumber}`, deadline),
        headers: { 'Content-Type': 'application/octet-stream' },
      })),
    };
  }

  /** A part upload (no access token; the signed URL is the credential). Returns the HTTP status to answer. */
  async uploadPart(sessionRef: string, ordinal: number, data: Buffer): Promise<{ status: number; detail?: string }> {
    const row = await this.sessions.find(sessionRef);
    if (!row || row.session_type !== 'Batch') return { status: 404, detail: 'Nieznana sesja.' };
    const batch = row.batch as BatchMeta;
    if (row.status_code !== 100 || this.clock.now() > Date.parse(batch.uploadDeadline)) return { status: 403, detail: 'Okno wysyłki części zostało zamknięte.' };
    const part = batch.parts.find((p) => p.ordinalNumber === ordinal);
    if (!part) return { status: 400, detail: `Nie zadeklarowano części ${ordinal}.` };
    if (data.length !== part.fileSize) return { status: 400, detail: `Rozmiar części ${ordinal} (${data.length} B) różni się od zadeklarowanego (${part.fileSize} B).` };
    if (sha256Base64(data) !== part.fileHash) return { status: 400, detail: `Skrót części ${ordinal} nie zgadza się z zadeklarowanym.` };
    await this.batches.savePart(sessionRef, ordinal, data, this.clock.date());
    return { status: 201 };
  }

  async close(ctx: AccessContext, referenceNumber: string): Promise<void> {
    const row = await this.sessionService.ownedSession(ctx, referenceNumber);
    if (row.session_type !== 'Batch') throw ksefException('sessionNotFound', `Sesja o numerze referencyjnym ${referenceNumber} nie została znaleziona.`);
    const batch = row.batch as BatchMeta;
    const timedOut = row.status_code === 440 && row.status_details?.includes(SESSION_STATUS.cancelledTimeout.details[0]);
    if (row.status_code !== 100 && !timedOut) throw ksefException('sessionStatusForbids', `Status sesji ${row.status_code} uniemożliwia jej zamknięcie.`);
    if (timedOut || this.clock.now() > Date.parse(batch.uploadDeadline)) {
      await this.sessions.setStatus(referenceNumber, SESSION_STATUS.cancelledTimeout, this.clock.date());
      throw KsefError.exception(21208, 'Czas oczekiwania na requesty upload lub finish został przekroczony.', 'Sesja anulowana, przekroczony czas wysyłki.');
    }
    const uploaded = new Set(await this.batches.uploadedOrdinals(referenceNumber));
    const missing = batch.parts.find((p) => !uploaded.has(p.ordinalNumber));
    if (missing) throw KsefError.exception(21205, 'Pakiet nie może być pusty.', `Nie przesłano zadeklarowanej '${missing.ordinalNumber}' części pliku.`);
    await this.sessions.setStatus(referenceNumber, SESSION_STATUS.processing, this.clock.date(), { closedAt: this.clock.date() });
    void this.process(referenceNumber);
  }

  private async fail(ref: string, status: Status): Promise<void> {
    await this.sessions.setStatus(ref, status, this.clock.date());
    await this.batches.deleteParts(ref);
  }

  /** Decrypt each part, join, check the package, unpack, store every invoice and queue it. */
  async process(referenceNumber: string): Promise<void> {
    try {
      const row = (await this.sessions.find(referenceNumber)) as SessionRow;
      const batch = row.batch as BatchMeta;
      if (!row.aes_key) return this.fail(referenceNumber, SESSION_STATUS.keyDecryption);
      const plainParts: Buffer[] = [];
      for (const part of await this.batches.parts(referenceNumber)) {
        try {
          plainParts.push(aes256CbcDecrypt(row.aes_key, row.iv, part.data));
        } catch {
          return this.fail(referenceNumber, { ...SESSION_STATUS.partDecryption, details: [`Nie można odszyfrować części ${part.ordinal}.`] });
        }
      }
      const archive = Buffer.concat(plainParts);
      if (archive.length !== batch.fileSize || sha256Base64(archive) !== batch.fileHash) {
        return this.fail(referenceNumber, { ...SESSION_STATUS.packageError, details: ['Rozmiar lub skrót pakietu nie zgadza się z zadeklarowanym.'] });
      }
      let files: PackageFile[];
      try {
        files = await unpackPackage(archive, batch.compressionType);
      } catch (error) {
        return this.fail(referenceNumber, { ...SESSION_STATUS.decompression, details: [error instanceof Error ? error.message : String(error)] });
      }
      const limits = (await this.limits.forContext(row.context_type, row.context_value)).batchSession;
      if (files.length > limits.maxInvoices) return this.fail(referenceNumber, { ...SESSION_STATUS.invoiceLimit, details: [`Pakiet zawiera ${files.length} faktur, limit ${limits.maxInvoices}.`] });
      const rows = files.map((file, i) => ({
        reference_number: generateReferenceNumber('EE', this.clock.date()),
        session_reference: referenceNumber,
        ordinal: i + 1,
        invoice_hash: sha256Base64(file.content),
        invoice_size: file.content.length,
        invoice_file_name: file.name,
        content: file.content,
        // A batch invoice's invoicingDate is the session's open time.
        invoicing_date: new Date(row.created_at),
        offline_mode: row.offline_mode,
        hash_of_corrected: null,
        form_code: row.form_code,
      }));
      await Promise.all(rows.map((r) => this.invoices.insert(r)));
      await this.batches.setBatch(referenceNumber, { ...batch, extracted: true });
      await this.batches.deleteParts(referenceNumber);
      await this.sessions.setInvoiceCount(referenceNumber, files.length);
      for (const r of rows) this.queue.enqueue(r.reference_number, referenceNumber, r);
      if (!files.length) await this.sessionService.tryFinalize(referenceNumber);
    } catch (error) {
      this.logger.error({ error: safeError(error), session: referenceNumber }, 'batch processing failed');
      await this.sessions.setStatus(referenceNumber, { code: 500, description: 'Nieznany błąd' }, this.clock.date());
    }
  }
}
