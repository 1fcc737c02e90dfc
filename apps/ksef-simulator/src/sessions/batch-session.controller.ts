import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessService } from '../auth/access.service';
import { parseBody } from '../http/parse-body';
import { BatchSessionService } from './batch-session.service';
import { encryptionSchema, formCodeSchema } from './online-session.controller';

const sha256 = z.string().length(44);
const openRequest = z.object({
  formCode: formCodeSchema,
  batchFile: z.object({
    fileSize: z.number().int().positive().max(5_000_000_000),
    fileHash: sha256,
    compressionType: z.enum(['Zip', 'TarGz']).nullish(),
    fileParts: z.array(z.object({ ordinalNumber: z.number().int().positive(), fileSize: z.number().int(), fileHash: sha256 })).min(1),
  }),
  encryption: encryptionSchema,
  offlineMode: z.boolean().optional(),
});

/** `/sessions/batch/*`: open (part upload URLs on this host) and close (permission InvoiceWrite). */
@Controller('sessions/batch')
export class BatchSessionController {
  constructor(
    private readonly batches: BatchSessionService,
    private readonly access: AccessService,
  ) {}

  @Post()
  @HttpCode(201)
  async open(@Req() req: FastifyRequest, @Body() body: unknown) {
    const ctx = await this.access.access(req, 'InvoiceWrite');
    return this.batches.open(req, ctx, parseBody(openRequest, body));
  }

  @Post(':referenceNumber/close')
  @HttpCode(204)
  async close(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req, 'InvoiceWrite');
    await this.batches.close(ctx, referenceNumber);
  }
}
