import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessService } from '../auth/access.service';
import { parseBody } from '../http/parse-body';
import { InvoiceExportService } from './invoice-export.service';
import { InvoiceQueryService } from './invoice-query.service';

const metadataRequest = z.object({
  subjectType: z.enum(['Subject1', 'Subject2', 'Subject3', 'SubjectAuthorized']),
  dateRange: z.object({ dateType: z.enum(['Issue', 'Invoicing', 'PermanentStorage']), from: z.string().datetime({ offset: true }).or(z.string().date()), to: z.string().nullish(), restrictToPermanentStorageHwmDate: z.boolean().nullish() }),
  ksefNumber: z.string().nullish(),
  invoiceNumber: z.string().nullish(),
  sellerNip: z.string().nullish(),
  invoicingMode: z.enum(['Online', 'Offline']).nullish(),
  invoiceTypes: z.array(z.string()).nullish(),
}).passthrough();

const exportRequest = z.object({
  encryption: z.object({ encryptedSymmetricKey: z.string().min(1), initializationVector: z.string().min(1), publicKeyId: z.string().nullish() }),
  filters: metadataRequest,
  onlyMetadata: z.boolean().optional(),
  compressionType: z.enum(['Zip']).nullish(),
});

/** `/invoices/*`: metadata query, exports and download by KSeF number (permission InvoiceRead). */
@Controller('invoices')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoiceQueryService,
    private readonly exporter: InvoiceExportService,
    private readonly access: AccessService,
  ) {}

  @Post('query/metadata')
  @HttpCode(200)
  async metadata(@Req() req: FastifyRequest, @Body() body: unknown, @Query('pageOffset') offset?: string, @Query('pageSize') size?: string, @Query('sortOrder') order?: string) {
    const ctx = await this.access.access(req, 'InvoiceRead');
    const pageSize = Math.min(250, Math.max(10, Number(size ?? 10) || 10));
    return this.invoices.metadata(ctx, parseBody(metadataRequest, body), { offset: Math.max(0, Number(offset ?? 0) || 0), size: pageSize, descending: order === 'Desc' });
  }

  @Post('exports')
  @HttpCode(201)
  async startExport(@Req() req: FastifyRequest, @Body() body: unknown) {
    const ctx = await this.access.access(req, 'InvoiceRead');
    return this.exporter.start(req, ctx, parseBody(exportRequest, body));
  }

  @Get('exports/:referenceNumber')
  async exportStatus(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req, 'InvoiceRead');
    return this.exporter.status(ctx, referenceNumber);
  }

  @Get('ksef/:ksefNumber')
  @Header('content-type', 'application/xml')
  async download(@Req() req: FastifyRequest, @Param('ksefNumber') ksefNumber: string) {
    const ctx = await this.access.access(req, 'InvoiceRead');
    return this.invoices.download(ctx, ksefNumber);
  }
}
