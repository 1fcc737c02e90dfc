import { Controller, Get, Inject, Param, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { InternalTokenGuard } from '../http/internal-token.guard';
import { InvoiceRepository } from '../invoices/invoice.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Claim-check reads for other services (validator, sender): the stored XML of an invoice, byte for byte, with its
 * SHA-256 in `X-Content-SHA256`. Each service owns its schema, so this is the only way to the documents.
 */
@Controller('internal/v1/invoices')
@UseGuards(InternalTokenGuard)
@UseFilters(ApiErrorFilter)
export class InternalDocumentController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(InvoiceRepository) private readonly invoices: InvoiceRepository,
  ) {}

  @Get(':id/document')
  async document(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const document = UUID.test(id) ? await this.invoices.document(this.dataSource, id) : undefined;
    if (!document) throw new ApiError(404, 'DOCUMENT_NOT_FOUND', `No document for invoice ${id}`);
    await reply.status(200).header('content-type', 'application/xml').header('x-content-sha256', document.sha256).send(document.content);
  }
}
