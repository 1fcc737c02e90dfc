import { Controller, Get, Inject, Param, Req, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { ApiKeyGuard, tenantOf, type TenantRequest } from '../http/api-key.guard';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { invoiceView } from '../invoices/invoice.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /v1/invoices/:id`: the invoice with its full history, only for the tenant that owns it. */
@Controller('v1/invoices')
@UseGuards(ApiKeyGuard)
@UseFilters(ApiErrorFilter)
export class GetInvoiceController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(InvoiceRepository) private readonly invoices: InvoiceRepository,
  ) {}

  @Get(':id')
  async get(@Req() request: TenantRequest, @Param('id') id: string) {
    // Another tenant's invoice answers exactly like a missing one: ids are not an oracle.
    const invoice = UUID.test(id) ? await this.invoices.findForTenant(this.dataSource, tenantOf(request), id) : undefined;
    if (!invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    return invoiceView(invoice, await this.invoices.history(this.dataSource, id));
  }
}
