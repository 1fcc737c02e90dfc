import { Injectable } from '@nestjs/common';
import type { AccessContext } from '../auth/access.service';
import { KsefError, ksefException } from '../domain/ksef-error';
import { InvoiceQueryRepository } from '../infrastructure/invoice-query.repository';
import { InvoiceRepository, type InvoiceRow } from '../infrastructure/invoice.repository';

/** FA's RodzajFaktury to the API's InvoiceType. */
const INVOICE_TYPES: Record<string, string> = { VAT: 'Vat', ZAL: 'Zal', KOR: 'Kor', ROZ: 'Roz', UPR: 'Upr', KOR_ZAL: 'KorZal', KOR_ROZ: 'KorRoz' };
const FROM_API_TYPE = Object.fromEntries(Object.entries(INVOICE_TYPES).map(([k, v]) => [v, k]));

export interface MetadataRequest {
  subjectType: 'Subject1' | 'Subject2' | 'Subject3' | 'SubjectAuthorized';
  dateRange: { dateType: 'Issue' | 'Invoicing' | 'PermanentStorage'; from: string; to?: string | null };
  ksefNumber?: string | null;
  invoiceNumber?: string | null;
  sellerNip?: string | null;
  invoicingMode?: 'Online' | 'Offline' | null;
  invoiceTypes?: string[] | null;
}

/** Metadata search and download of accepted invoices, as seller (Subject1) or buyer (Subject2) of the caller's NIP. */
@Injectable()
export class InvoiceQueryService {
  constructor(
    private readonly queries: InvoiceQueryRepository,
    private readonly invoices: InvoiceRepository,
  ) {}

  async metadata(ctx: AccessContext, request: MetadataRequest, page: { offset: number; size: number; descending: boolean }) {
    const rows = await this.find(ctx, request, { offset: page.offset * page.size, limit: page.size + 1, descending: page.descending });
    const hwm = await this.queries.latestStorageDate();
    return {
      hasMore: rows.length > page.size,
      isTruncated: false,
      ...(hwm ? { permanentStorageHwmDate: new Date(hwm).toISOString() } : {}),
      invoices: rows.slice(0, page.size).map((r) => this.view(r)),
    };
  }

  /** Accepted invoices matching `request` for the caller (Subject1: as seller, Subject2: as buyer). */
  async find(ctx: AccessContext, request: MetadataRequest, page: { offset: number; limit: number; descending: boolean; withContent?: boolean }): Promise<InvoiceRow[]> {
    if (request.subjectType !== 'Subject1' && request.subjectType !== 'Subject2') {
      throw ksefException('validation', `subjectType: ${request.subjectType} nie jest obsługiwany przez symulator (Subject1, Subject2)`);
    }
    const dateColumn = { Issue: 'issue_date', Invoicing: 'invoicing_date', PermanentStorage: 'permanent_storage_date' } as const;
    return this.queries.query({
      role: request.subjectType === 'Subject1' ? 'seller' : 'buyer',
      nip: ctx.contextValue,
      dateColumn: dateColumn[request.dateRange.dateType],
      from: new Date(request.dateRange.from),
      to: request.dateRange.to ? new Date(request.dateRange.to) : undefined,
      ksefNumber: request.ksefNumber ?? undefined,
      invoiceNumber: request.invoiceNumber ?? undefined,
      sellerNip: request.sellerNip ?? undefined,
      invoicingMode: request.invoicingMode ?? undefined,
      invoiceTypes: request.invoiceTypes?.map((t) => FROM_API_TYPE[t] ?? t),
      descending: page.descending,
      offset: page.offset,
      limit: page.limit,
      withContent: page.withContent,
    });
  }

  latestStorageDate(): Promise<Date | undefined> {
    return this.queries.latestStorageDate();
  }

  /** One invoice as `InvoiceMetadata` (also the element of an export's `_metadata.json`). */
  view(r: InvoiceRow) {
    const m = (r.metadata ?? {}) as Record<string, string | boolean | undefined>;
    const num = (v: unknown) => (v === undefined || v === null || v === '' ? 0 : Number(v));
    return {
      ksefNumber: r.ksef_number,
      invoiceNumber: r.invoice_number ?? '',
      issueDate: r.issue_date ?? '',
      invoicingDate: new Date(r.invoicing_date).toISOString(),
      acquisitionDate: new Date(r.acquisition_date ?? r.invoicing_date).toISOString(),
      permanentStorageDate: new Date(r.permanent_storage_date ?? r.invoicing_date).toISOString(),
      seller: { nip: r.seller_nip ?? '', name: (m.sellerName as string) ?? null },
      buyer: { identifier: m.buyerNip ? { type: 'Nip', value: m.buyerNip } : { type: 'None' }, name: (m.buyerName as string) ?? null },
      netAmount: num(m.net),
      grossAmount: num(m.gross),
      vatAmount: num(m.vat),
      currency: (m.currency as string) ?? 'PLN',
      invoicingMode: r.invoicing_mode,
      invoiceType: INVOICE_TYPES[r.invoice_type ?? 'VAT'] ?? 'Vat',
      formCode: r.form_code,
      isSelfInvoicing: false,
      hasAttachment: Boolean(m.hasAttachment),
      invoiceHash: r.invoice_hash,
      hashOfCorrectedInvoice: r.hash_of_corrected,
    };
  }

  /** The invoice XML of an accepted invoice where the caller is seller or buyer (21164 otherwise). */
  async download(ctx: AccessContext, ksefNumber: string): Promise<Buffer> {
    const row = await this.invoices.findByKsefNumber(ksefNumber, true);
    const buyer = (row?.metadata as { buyerNip?: string } | null)?.buyerNip;
    if (!row || row.status_code !== 200 || !row.content || (row.seller_nip !== ctx.contextValue && buyer !== ctx.contextValue)) {
      throw KsefError.exception(21164, 'Faktura o podanym identyfikatorze nie istnieje.', `Faktura o numerze KSeF ${ksefNumber} nie została znaleziona.`);
    }
    return row.content;
  }
}
