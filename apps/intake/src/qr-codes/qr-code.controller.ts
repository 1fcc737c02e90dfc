import { Controller, Get, Inject, Optional, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { KSEF_QR_BASE_URLS, type KsefEnvironment } from '@ksef-bridge/ksef-client';
import { renderQrPng, renderQrSvg } from '@ksef-bridge/qr-codes';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { ApiKeyGuard, tenantOf, type TenantRequest } from '../http/api-key.guard';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { kodIForStoredInvoice } from './invoice-kod-i';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Optional provider: the KSeF environment whose QR host the links use; `production` when none is registered. */
export const KSEF_QR_ENVIRONMENT = Symbol('KSEF_QR_ENVIRONMENT');

export function environmentOf(query: string | undefined, fallback: KsefEnvironment): KsefEnvironment {
  if (query === undefined) return fallback;
  if (!(query in KSEF_QR_BASE_URLS)) throw new ApiError(400, 'REQUEST_INVALID', `environment must be one of ${Object.keys(KSEF_QR_BASE_URLS).join(', ')}`);
  return query as KsefEnvironment;
}

export function scaleOf(query: string | undefined): number | undefined {
  if (query === undefined) return undefined;
  const scale = Number(query);
  if (!Number.isInteger(scale) || scale < 1 || scale > 40) throw new ApiError(400, 'REQUEST_INVALID', 'scale must be an integer 1–40 (pixels per module)');
  return scale;
}

/**
 * `GET /v1/invoices/:id/qr/kod-i.png|svg`: KOD I of the tenant's invoice for the ERP's printout, with its caption.
 * The link and caption also travel in `X-KSeF-QR-Url` / `X-KSeF-QR-Caption`, for ERPs that draw their own code.
 * Another tenant's invoice answers 404, like a missing one.
 */
@Controller('v1/invoices')
@UseGuards(ApiKeyGuard)
@UseFilters(ApiErrorFilter)
export class QrCodeController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(InvoiceRepository) private readonly invoices: InvoiceRepository,
    @Optional() @Inject(KSEF_QR_ENVIRONMENT) private readonly environment: KsefEnvironment = 'production',
  ) {}

  @Get(':id/qr/kod-i.png')
  async png(@Req() request: TenantRequest, @Param('id') id: string, @Query('environment') environment: string | undefined, @Query('scale') scale: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const code = await this.code(request, id, environment);
    await this.send(reply, code, 'image/png', renderQrPng(code.url, { caption: code.caption, scale: scaleOf(scale) }));
  }

  @Get(':id/qr/kod-i.svg')
  async svg(@Req() request: TenantRequest, @Param('id') id: string, @Query('environment') environment: string | undefined, @Query('scale') scale: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const code = await this.code(request, id, environment);
    await this.send(reply, code, 'image/svg+xml', renderQrSvg(code.url, { caption: code.caption, scale: scaleOf(scale) }));
  }

  private async code(request: TenantRequest, id: string, environment: string | undefined) {
    const env = environmentOf(environment, this.environment);
    const invoice = UUID.test(id) ? await this.invoices.findForTenant(this.dataSource, tenantOf(request), id) : undefined;
    const document = invoice ? await this.invoices.document(this.dataSource, invoice.id) : undefined;
    if (!invoice || !document) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    return kodIForStoredInvoice(invoice, document.content, env);
  }

  private async send(reply: FastifyReply, code: { url: string; caption: string }, contentType: string, body: Buffer | string): Promise<void> {
    // The caption changes from OFFLINE to the KSeF number once KSeF accepts the invoice: never cache for long.
    await reply
      .status(200)
      .header('content-type', contentType)
      .header('cache-control', 'private, no-cache')
      .header('x-ksef-qr-url', code.url)
      .header('x-ksef-qr-caption', code.caption)
      .send(body);
  }
}
