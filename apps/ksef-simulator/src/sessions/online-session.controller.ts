import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessService } from '../auth/access.service';
import { parseBody } from '../http/parse-body';
import { SessionService } from './session.service';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'niepoprawny Base64');
const sha256 = base64.length(44);
export const formCodeSchema = z.object({ systemCode: z.string().min(1), schemaVersion: z.string().min(1), value: z.string().min(1) });
export const encryptionSchema = z.object({ encryptedSymmetricKey: base64.min(1), initializationVector: base64.min(1), publicKeyId: z.string().nullish() });
const openRequest = z.object({ formCode: formCodeSchema, encryption: encryptionSchema });
const sendRequest = z.object({
  invoiceHash: sha256,
  invoiceSize: z.number().int().positive(),
  encryptedInvoiceHash: sha256,
  encryptedInvoiceSize: z.number().int().positive(),
  encryptedInvoiceContent: base64.min(1),
  offlineMode: z.boolean().optional(),
  hashOfCorrectedInvoice: sha256.nullish(),
});

/** `/sessions/online/*`: open, send, close (permission InvoiceWrite). */
@Controller('sessions/online')
export class OnlineSessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly access: AccessService,
  ) {}

  @Post()
  @HttpCode(201)
  async open(@Req() req: FastifyRequest, @Body() body: unknown) {
    const ctx = await this.access.access(req, 'InvoiceWrite');
    const request = parseBody(openRequest, body);
    return this.sessions.openOnline(ctx, request.formCode, request.encryption);
  }

  @Post(':referenceNumber/invoices')
  @HttpCode(202)
  async send(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string, @Body() body: unknown) {
    const ctx = await this.access.access(req, 'InvoiceWrite');
    return this.sessions.sendInvoice(ctx, referenceNumber, parseBody(sendRequest, body));
  }

  @Post(':referenceNumber/close')
  @HttpCode(204)
  async close(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req, 'InvoiceWrite');
    await this.sessions.closeOnline(ctx, referenceNumber);
  }
}
