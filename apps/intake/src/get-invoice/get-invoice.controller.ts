import { Controller, Get, Header, Inject, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { ApiKeyGuard, tenantOf, type TenantRequest } from '../http/api-key.guard';
import { InvoiceRepository, type InvoiceRow } from '../invoices/invoice.repository';
import { invoiceView } from '../invoices/invoice.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reading invoices, only ever the calling tenant's (another tenant's invoice answers exactly like a missing one):
 * - `GET /v1/invoices/:id`: the invoice with its full history;
 * - `GET /v1/invoices?erpDocumentId=…`: the same, found by the ERP's document id (ERPs using the Kafka door never see
 *   our id in a response); 404 when the tenant has no such document;
 * - `GET /v1/invoices?ksefNumber=…`: `{ items }`, the tenant's invoices carrying that KSeF number (for SREs and
 *   accounting). A list, because a 440 duplicate carries its original's number; empty when none;
 * - `GET /v1/invoices/:id/upo`: the UPO (KSeF's official receipt) as `application/xml`.
 */
@Controller('v1/invoices')
@UseGuards(ApiKeyGuard)
@UseFilters(ApiErrorFilter)
export class GetInvoiceController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(InvoiceRepository) private readonly invoices: InvoiceRepository,
  ) {}

  @Get()
  async find(@Req() request: TenantRequest, @Query('erpDocumentId') erpDocumentId: unknown, @Query('ksefNumber') ksefNumber: unknown) {
    const tenant = tenantOf(request);
    if ((erpDocumentId === undefined) === (ksefNumber === undefined)) {
      throw new ApiError(400, 'REQUEST_INVALID', 'Give exactly one query parameter: erpDocumentId or ksefNumber');
    }
    if (ksefNumber !== undefined) {
      // PostgreSQL refuses U+0000 in text: a NUL is a bad request, not a server error.
      if (typeof ksefNumber !== 'string' || ksefNumber.length < 1 || ksefNumber.length > 40 || ksefNumber.includes('\u0000')) throw new ApiError(400, 'REQUEST_INVALID', 'ksefNumber must be one value of 1-40 characters, without NUL');
      const found = await this.invoices.findByKsefNumber(this.dataSource, tenant, ksefNumber);
      return { items: found.map((invoice) => invoiceView(invoice)) };
    }
    if (typeof erpDocumentId !== 'string' || erpDocumentId.length < 1 || erpDocumentId.includes('\u0000')) throw new ApiError(400, 'REQUEST_INVALID', 'erpDocumentId must be one non-empty value, without NUL');
    const invoice = await this.invoices.findByErpDocumentId(this.dataSource, tenant, erpDocumentId);
    if (!invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice for ERP document ${erpDocumentId}`);
    return this.detail(invoice);
  }

  @Get(':id')
  async get(@Req() request: TenantRequest, @Param('id') id: string) {
    const invoice = UUID.test(id) ? await this.invoices.findForTenant(this.dataSource, tenantOf(request), id) : undefined;
    if (!invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    return this.detail(invoice);
  }

  private async detail(invoice: InvoiceRow) {
    const [history, corrections] = await Promise.all([this.invoices.history(this.dataSource, invoice.id), this.invoices.technicalCorrections(this.dataSource, invoice.id)]);
    return invoiceView(invoice, history, corrections);
  }

  @Get(':id/upo')
  @Header('cache-control', 'no-store')
  async upo(@Req() request: TenantRequest, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const tenant = tenantOf(request);
    const invoice = UUID.test(id) ? await this.invoices.findForTenant(this.dataSource, tenant, id) : undefined;
    if (!invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    const upo = await this.invoices.upo(this.dataSource, tenant, id);
    if (!upo) {
      throw new ApiError(404, 'UPO_NOT_AVAILABLE', `No UPO for invoice ${id} yet: KSeF issues it once it accepts the invoice`, { state: invoice.state });
    }
    reply.header('content-type', 'application/xml; charset=utf-8');
    reply.header('x-content-sha256', upo.sha256);
    if (invoice.ksefNumber) reply.header('content-disposition', `attachment; filename="UPO-${invoice.ksefNumber}.xml"`);
    return upo.xml;
  }
}
