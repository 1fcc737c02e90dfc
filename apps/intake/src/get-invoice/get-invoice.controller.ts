import { Controller, Get, Inject, Param, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { ApiKeyGuard, tenantOf, type TenantRequest } from '../http/api-key.guard';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { invoiceView } from '../invoices/invoice.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /v1/invoices/:id` and `GET /v1/invoices?erpDocumentId=…` (for ERPs using the Kafka door, which never see our
 * id in a response): the invoice with its full history, only for the tenant that owns it.
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
  async byErpDocumentId(@Req() request: TenantRequest, @Query('erpDocumentId') erpDocumentId: string | undefined) {
    if (!erpDocumentId) throw new ApiError(400, 'REQUEST_INVALID', 'Query parameter erpDocumentId is required');
    const invoice = await this.invoices.findByErpDocumentId(this.dataSource, tenantOf(request), erpDocumentId);
    if (!invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice for ERP document ${erpDocumentId}`);
    return invoiceView(invoice, await this.invoices.history(this.dataSource, invoice.id));
  }

  @Get(':id')
  async get(@Req() request: TenantRequest, @Param('id') id: string) {
    // Another tenant's invoice answers exactly like a missing one: ids are not an oracle.
    const invoice = UUID.test(id) ? await this.invoices.findForTenant(this.dataSource, tenantOf(request), id) : undefined;
    if (!invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    return invoiceView(invoice, await this.invoices.history(this.dataSource, id));
  }
}
