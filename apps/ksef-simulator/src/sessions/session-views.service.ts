import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AccessContext } from '../auth/access.service';
import { decodeOffset, encodeOffset } from '../auth/auth.service';
import { SimClock } from '../domain/clock';
import { ksefException } from '../domain/ksef-error';
import { INVOICE_STATUS } from '../domain/statuses';
import { buildUpo, type UpoDocument } from '../domain/upo/upo-builder';
import { SignedUrlService } from '../http/signed-url.service';
import { InvoiceRepository, type InvoiceRow } from '../infrastructure/invoice.repository';
import { SessionRepository, type SessionRow } from '../infrastructure/session.repository';
import { SessionService, UPO_PAGE_SIZE } from './session.service';

const URL_TTL_MS = 3 * 86_400_000;

/** Read side of sessions: statuses, invoice lists, UPO documents and their download links. */
@Injectable()
export class SessionViewsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly invoices: InvoiceRepository,
    private readonly service: SessionService,
    private readonly urls: SignedUrlService,
    private readonly clock: SimClock,
  ) {}

  private upoPages(row: SessionRow): string[] {
    return row.upo_reference ? row.upo_reference.split(',') : [];
  }

  async sessionStatus(req: FastifyRequest, ctx: AccessContext, referenceNumber: string) {
    const row = await this.service.ownedSession(ctx, referenceNumber);
    const counts = await this.sessions.counts(referenceNumber);
    const expires = new Date(this.clock.now() + URL_TTL_MS);
    const pages = this.upoPages(row).map((upoRef) => ({
      referenceNumber: upoRef,
      downloadUrl: this.urls.url(req, `upo/${referenceNumber}/${upoRef}`, expires),
      downloadUrlExpirationDate: expires.toISOString(),
    }));
    return {
      status: { code: row.status_code, description: row.status_description, ...(row.status_details ? { details: row.status_details } : {}) },
      dateCreated: new Date(row.created_at).toISOString(),
      dateUpdated: new Date(row.updated_at).toISOString(),
      validUntil: new Date(row.valid_until).toISOString(),
      ...(pages.length ? { upo: { pages } } : {}),
      invoiceCount: counts.total,
      successfulInvoiceCount: counts.successful,
      failedInvoiceCount: counts.failed,
    };
  }

  invoiceView(req: FastifyRequest, row: InvoiceRow) {
    const code = this.service.effectiveInvoiceStatus(row.status_code, row.invoicing_date);
    const status =
      code === 150 ? { code: 150, description: INVOICE_STATUS.processing.description } : { code: row.status_code, description: row.status_description };
    const expires = new Date(this.clock.now() + URL_TTL_MS);
    return {
      ordinalNumber: row.ordinal,
      ...(row.invoice_number ? { invoiceNumber: row.invoice_number } : {}),
      ...(row.ksef_number ? { ksefNumber: row.ksef_number } : {}),
      referenceNumber: row.reference_number,
      invoiceHash: row.invoice_hash,
      ...(row.invoice_file_name ? { invoiceFileName: row.invoice_file_name } : {}),
      ...(row.acquisition_date ? { acquisitionDate: new Date(row.acquisition_date).toISOString() } : {}),
      invoicingDate: new Date(row.invoicing_date).toISOString(),
      ...(row.permanent_storage_date ? { permanentStorageDate: new Date(row.permanent_storage_date).toISOString() } : {}),
      ...(row.ksef_number
        ? {
            upoDownloadUrl: this.urls.url(req, `upo-invoice/${row.session_reference}/${row.reference_number}`, expires),
            upoDownloadUrlExpirationDate: expires.toISOString(),
          }
        : {}),
      ...(code >= 200 || row.offline_mode ? { invoicingMode: row.invoicing_mode } : {}),
      status: {
        ...status,
        ...(code === row.status_code && row.status_details ? { details: row.status_details } : {}),
        ...(code === row.status_code && row.status_extensions ? { extensions: row.status_extensions } : {}),
      },
    };
  }

  async assertOwned(ctx: AccessContext, sessionRef: string): Promise<void> {
    await this.service.ownedSession(ctx, sessionRef);
  }

  async invoiceStatus(req: FastifyRequest, ctx: AccessContext, sessionRef: string, invoiceRef: string) {
    await this.service.ownedSession(ctx, sessionRef);
    const row = await this.invoices.find(sessionRef, invoiceRef);
    if (!row) throw ksefException('invoiceNotFound', `Faktura o numerze referencyjnym ${invoiceRef} nie została znaleziona.`);
    return this.invoiceView(req, row);
  }

  async invoiceList(req: FastifyRequest, ctx: AccessContext, sessionRef: string, onlyFailed: boolean, pageSize: number) {
    await this.service.ownedSession(ctx, sessionRef);
    const offset = decodeOffset(req.headers['x-continuation-token'] as string | undefined);
    const rows = await this.invoices.list(sessionRef, onlyFailed, offset, pageSize + 1);
    return {
      continuationToken: rows.length > pageSize ? encodeOffset(offset + pageSize) : null,
      invoices: rows.slice(0, pageSize).map((r) => this.invoiceView(req, r)),
    };
  }

  private document(row: InvoiceRow): UpoDocument {
    return {
      sellerNip: row.seller_nip ?? '',
      ksefNumber: row.ksef_number ?? '',
      invoiceNumber: row.invoice_number ?? '',
      issueDate: row.issue_date ?? '',
      submittedAt: new Date(row.invoicing_date),
      ksefNumberAssignedAt: new Date(row.acquisition_date ?? row.invoicing_date),
      invoiceHash: row.invoice_hash,
      invoicingMode: row.invoicing_mode,
    };
  }

  /** Per-invoice UPO of an accepted invoice (21178 otherwise). */
  async invoiceUpo(sessionRef: string, find: { invoiceRef?: string; ksefNumber?: string }): Promise<string> {
    const session = await this.sessions.find(sessionRef);
    const row = find.invoiceRef ? await this.invoices.find(sessionRef, find.invoiceRef) : await this.invoices.findByKsefNumber(find.ksefNumber ?? '');
    if (!session || !row || row.session_reference !== sessionRef || row.status_code !== 200) {
      throw ksefException('upoNotFound', `UPO dla faktury ${find.invoiceRef ?? find.ksefNumber} w sesji ${sessionRef} nie zostało znalezione.`);
    }
    const auth = await this.service.authDetails(session.auth_reference);
    return buildUpo({
      sessionReference: sessionRef,
      context: { type: session.context_type, value: session.context_value },
      ...auth,
      formSystemCode: session.form_code.systemCode,
      documents: [this.document(row)],
    });
  }

  /** One page (up to 10,000 accepted invoices) of the session UPO. */
  async sessionUpo(sessionRef: string, upoRef: string): Promise<string> {
    const session = await this.sessions.find(sessionRef);
    const pages = session ? this.upoPages(session) : [];
    const index = pages.indexOf(upoRef);
    if (!session || index < 0) throw ksefException('upoNotFound', `UPO o numerze referencyjnym ${upoRef} dla sesji ${sessionRef} nie zostało znalezione.`);
    const counts = await this.sessions.counts(sessionRef);
    const rows = await this.invoices.accepted(sessionRef, index * UPO_PAGE_SIZE, UPO_PAGE_SIZE);
    const auth = await this.service.authDetails(session.auth_reference);
    return buildUpo({
      sessionReference: sessionRef,
      context: { type: session.context_type, value: session.context_value },
      ...auth,
      formSystemCode: session.form_code.systemCode,
      documents: rows.map((r) => this.document(r)),
      page: { number: index + 1, pages: pages.length, from: index * UPO_PAGE_SIZE + 1, to: index * UPO_PAGE_SIZE + rows.length, total: counts.successful },
    });
  }

  async listSessions(
    ctx: AccessContext,
    req: FastifyRequest,
    query: { sessionType: string; referenceNumber?: string; statuses?: string[]; ranges?: Partial<Record<'created_at' | 'closed_at' | 'updated_at', { from?: Date; to?: Date }>> },
    pageSize: number,
  ) {
    const statusMap: Record<string, number[]> = { InProgress: [100, 150, 170], Succeeded: [200], Failed: [405, 415, 420, 430, 435, 445, 500], Cancelled: [440] };
    const offset = decodeOffset(req.headers['x-continuation-token'] as string | undefined);
    const codes = query.statuses?.flatMap((s) => statusMap[s] ?? []);
    const rows = await this.sessions.list({ contextType: ctx.contextType, contextValue: ctx.contextValue, sessionType: query.sessionType, referenceNumber: query.referenceNumber, statusCodes: codes, ranges: query.ranges }, offset, pageSize + 1);
    return {
      continuationToken: rows.length > pageSize ? encodeOffset(offset + pageSize) : null,
      sessions: rows.slice(0, pageSize).map((r) => ({
        referenceNumber: r.reference_number,
        status: { code: r.status_code, description: r.status_description, ...(r.status_details ? { details: r.status_details } : {}) },
        dateCreated: new Date(r.created_at).toISOString(),
        dateUpdated: new Date(r.updated_at).toISOString(),
        validUntil: new Date(r.valid_until).toISOString(),
        totalInvoiceCount: r.total,
        successfulInvoiceCount: r.successful,
        failedInvoiceCount: r.failed,
      })),
    };
  }
}
