import { Controller, Get, Headers, Inject, Optional, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import type { KsefEnvironment } from '@ksef-bridge/ksef-client';
import { renderQrPng, renderQrSvg } from '@ksef-bridge/qr-codes';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { ApiKeyGuard, tenantOf, type TenantRequest } from '../http/api-key.guard';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { kodIIRequestForStoredInvoice } from './invoice-kod-ii';
import { KOD_II_SIGNER, type KodIISigner, type SignedKodII } from './kod-ii-signer.client';
import { environmentOf, KSEF_QR_ENVIRONMENT, scaleOf } from './qr-code.controller';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Format = 'png' | 'svg' | 'json';

/** `Accept` of `/qr/kod-ii`: SVG or JSON when asked for, PNG otherwise (also for `*\/*` and no header). */
export function formatOf(accept: string | undefined): Format {
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('image/png')) return 'png';
  if (wanted.includes('image/svg+xml')) return 'svg';
  if (wanted.includes('application/json')) return 'json';
  return 'png';
}

/**
 * KOD II of the tenant's offline invoice (docs/qr-codes.md), next to KOD I: `/qr/kod-ii.png|svg|json`, or `/qr/kod-ii`
 * negotiated by `Accept` (PNG by default). The link is signed by the sender with the context's Offline certificate;
 * intake never holds the key. Caption `CERTYFIKAT`; link and caption also in `X-KSeF-QR-Url` / `X-KSeF-QR-Caption`.
 */
@Controller('v1/invoices')
@UseGuards(ApiKeyGuard)
@UseFilters(ApiErrorFilter)
export class KodIIController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(InvoiceRepository) private readonly invoices: InvoiceRepository,
    @Inject(KOD_II_SIGNER) private readonly signer: KodIISigner,
    @Optional() @Inject(KSEF_QR_ENVIRONMENT) private readonly environment: KsefEnvironment = 'production',
  ) {}

  @Get(':id/qr/kod-ii.png')
  async png(@Req() request: TenantRequest, @Param('id') id: string, @Query('environment') environment: string | undefined, @Query('scale') scale: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.serve(request, id, 'png', environment, scale, reply);
  }

  @Get(':id/qr/kod-ii.svg')
  async svg(@Req() request: TenantRequest, @Param('id') id: string, @Query('environment') environment: string | undefined, @Query('scale') scale: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.serve(request, id, 'svg', environment, scale, reply);
  }

  @Get(':id/qr/kod-ii.json')
  async json(@Req() request: TenantRequest, @Param('id') id: string, @Query('environment') environment: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.serve(request, id, 'json', environment, undefined, reply);
  }

  @Get(':id/qr/kod-ii')
  async negotiated(@Req() request: TenantRequest, @Param('id') id: string, @Headers('accept') accept: string | undefined, @Query('environment') environment: string | undefined, @Query('scale') scale: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.serve(request, id, formatOf(accept), environment, scale, reply);
  }

  private async serve(request: TenantRequest, id: string, format: Format, environment: string | undefined, scale: string | undefined, reply: FastifyReply): Promise<void> {
    const env = environmentOf(environment, this.environment);
    const pixels = scaleOf(scale);
    const invoice = UUID.test(id) ? await this.invoices.findForTenant(this.dataSource, tenantOf(request), id) : undefined;
    const document = invoice ? await this.invoices.document(this.dataSource, invoice.id) : undefined;
    if (!invoice || !document) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    const code = await this.signer.sign(kodIIRequestForStoredInvoice(invoice, document.content, env));
    // KOD II does not change once signed for this file and certificate, but a new certificate gives a new link.
    const response = reply.status(200).header('cache-control', 'private, no-cache').header('x-ksef-qr-url', code.url).header('x-ksef-qr-caption', code.caption);
    if (format === 'json') await response.header('content-type', 'application/json').send(linkOf(code));
    else if (format === 'svg') await response.header('content-type', 'image/svg+xml').send(renderQrSvg(code.url, { caption: code.caption, scale: pixels }));
    else await response.header('content-type', 'image/png').send(renderQrPng(code.url, { caption: code.caption, scale: pixels }));
  }
}

function linkOf(code: SignedKodII) {
  return { url: code.url, caption: code.caption, certificateSerial: code.certificateSerial, algorithm: code.algorithm, certificateValidTo: code.certificateValidTo };
}
