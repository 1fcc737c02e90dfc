import { createCipheriv } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { zipSync } from 'fflate';
import { generateReferenceNumber } from '@ksef-bridge/ksef-spec';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import type { AccessContext } from '../auth/access.service';
import { SimClock } from '../domain/clock';
import { sha256Base64 } from '../domain/crypto/invoice-crypto';
import { KsefError } from '../domain/ksef-error';
import { safeError } from '../domain/safe-error';
import type { Status } from '../domain/statuses';
import { SignedUrlService } from '../http/signed-url.service';
import { InvoiceExportRepository } from '../infrastructure/invoice-export.repository';
import { SessionService } from '../sessions/session.service';
import { InvoiceQueryService, type MetadataRequest } from './invoice-query.service';

const EXPORT_STATUS = {
  running: { code: 100, description: 'Eksport faktur w toku' },
  done: { code: 200, description: 'Eksport faktur zakończony sukcesem' },
  expired: { code: 210, description: 'Eksport faktur wygasł i nie jest już dostępny do pobrania' },
  keyError: { code: 415, description: 'Błąd odszyfrowania dostarczonego klucza' },
  unknown: { code: 500, description: 'Nieznany błąd' },
} as const satisfies Record<string, Status>;

const MAX_INVOICES = 10_000;
const PART_BYTES = 50 * 1024 * 1024;
const AVAILABLE_MS = 7 * 86_400_000;
const MAX_RUNNING = 10;

/**
 * `POST /invoices/exports`: invoices in ascending date order (at most 10,000, then isTruncated), `{ksefNumber}.xml`
 * files plus `_metadata.json`, zipped, split into 50 MB parts, each AES-256-CBC encrypted with the caller's key.
 */
@Injectable()
export class InvoiceExportService {
  constructor(
    private readonly exports: InvoiceExportRepository,
    private readonly queries: InvoiceQueryService,
    private readonly sessions: SessionService,
    private readonly urls: SignedUrlService,
    private readonly clock: SimClock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(
    req: FastifyRequest,
    ctx: AccessContext,
    request: { encryption: { encryptedSymmetricKey: string; initializationVector: string; publicKeyId?: string | null }; filters: MetadataRequest; onlyMetadata?: boolean },
  ) {
    if (request.filters.subjectType !== 'Subject1' && request.filters.subjectType !== 'Subject2') {
      throw KsefError.exception(21181, 'Nieprawidłowe żądanie eksportu faktur.', `Nie można wyeksportować paczki faktur dla wybranego podmiotu (${request.filters.subjectType}) i zalogowanego identyfikatora kontekstu (${ctx.contextType}).`);
    }
    if ((await this.exports.running(ctx.contextType, ctx.contextValue)) >= MAX_RUNNING) {
      throw KsefError.exception(21182, 'Osiągnięto limit trwających eksportów.', `Dla uwierzytelnionego podmiotu w bieżącym kontekście osiągnięto maksymalny limit ${MAX_RUNNING} równoczesnych eksportów faktur. Spróbuj ponownie później.`);
    }
    const { key, iv } = this.sessions.decryptSessionKey(request.encryption);
    const now = this.clock.date();
    const referenceNumber = generateReferenceNumber('EH', now);
    await this.exports.create({ reference_number: referenceNumber, context_type: ctx.contextType, context_value: ctx.contextValue, created_at: now }, key ? EXPORT_STATUS.running : EXPORT_STATUS.keyError);
    if (key) setImmediate(() => void this.build(req, ctx, referenceNumber, request, key, iv));
    return { referenceNumber };
  }

  private async build(req: FastifyRequest, ctx: AccessContext, referenceNumber: string, request: { filters: MetadataRequest; onlyMetadata?: boolean }, key: Buffer, iv: Buffer): Promise<void> {
    try {
      const rows = await this.queries.find(ctx, request.filters, { offset: 0, limit: MAX_INVOICES + 1, descending: false, withContent: !request.onlyMetadata });
      const included = rows.slice(0, MAX_INVOICES);
      const files: Record<string, Uint8Array> = {};
      if (!request.onlyMetadata) for (const r of included) if (r.content && r.ksef_number) files[`${r.ksef_number}.xml`] = r.content;
      files['_metadata.json'] = Buffer.from(JSON.stringify({ invoices: included.map((r) => this.queries.view(r)) }));
      const archive = Buffer.from(zipSync(files));
      const expires = new Date(this.clock.now() + AVAILABLE_MS);
      const parts: Buffer[] = [];
      const descriptions = [];
      for (let offset = 0, n = 1; offset < archive.length || n === 1; offset += PART_BYTES, n++) {
        const plain = archive.subarray(offset, offset + PART_BYTES);
        const cipher = createCipheriv('aes-256-cbc', key, iv);
        const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
        parts.push(encrypted);
        descriptions.push({
          ordinalNumber: n,
          partName: `${referenceNumber}-${String(n).padStart(3, '0')}.zip.aes`,
          method: 'GET',
          url: this.urls.url(req, `export/${referenceNumber}/${n}`, expires),
          partSize: plain.length,
          partHash: sha256Base64(plain),
          encryptedPartSize: encrypted.length,
          encryptedPartHash: sha256Base64(encrypted),
          expirationDate: expires.toISOString(),
        });
        if (offset + PART_BYTES >= archive.length) break;
      }
      const last = included[included.length - 1];
      const hwm = await this.queries.latestStorageDate();
      const pkg = {
        invoiceCount: included.length,
        size: archive.length,
        parts: descriptions,
        isTruncated: rows.length > MAX_INVOICES,
        ...(last
          ? {
              lastIssueDate: last.issue_date,
              lastInvoicingDate: new Date(last.invoicing_date).toISOString(),
              lastPermanentStorageDate: new Date(last.permanent_storage_date ?? last.invoicing_date).toISOString(),
            }
          : {}),
        ...(hwm ? { permanentStorageHwmDate: new Date(hwm).toISOString() } : {}),
      };
      await this.exports.complete(referenceNumber, EXPORT_STATUS.done, this.clock.date(), pkg, parts);
    } catch (error) {
      this.logger.error({ error: safeError(error), export: referenceNumber }, 'invoice export failed');
      await this.exports.complete(referenceNumber, EXPORT_STATUS.unknown, this.clock.date(), null, []);
    }
  }

  async status(ctx: AccessContext, referenceNumber: string) {
    const row = await this.exports.find(referenceNumber);
    if (!row || row.context_type !== ctx.contextType || row.context_value !== ctx.contextValue) {
      throw KsefError.exception(21175, 'Wynik zapytania o podanym identyfikatorze nie istnieje.');
    }
    const expired = row.completed_at && this.clock.now() > new Date(row.completed_at).getTime() + AVAILABLE_MS;
    const status = expired ? EXPORT_STATUS.expired : { code: row.status_code, description: row.status_description };
    return {
      status,
      ...(row.completed_at ? { completedDate: new Date(row.completed_at).toISOString(), packageExpirationDate: new Date(new Date(row.completed_at).getTime() + AVAILABLE_MS).toISOString() } : {}),
      ...(row.package && !expired ? { package: row.package } : {}),
    };
  }

  part(referenceNumber: string, ordinal: number): Promise<Buffer | undefined> {
    return this.exports.part(referenceNumber, ordinal);
  }
}
