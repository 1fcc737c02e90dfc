import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { erpDocumentIdSchema, invoiceMetadataSchema } from '@ksef-bridge/contracts';
import { withTransaction } from '@ksef-bridge/persistence';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { ApiKeyGuard, tenantOf, type TenantRequest } from '../http/api-key.guard';
import { IntakeMetrics } from '../intake.metrics';
import { IntakeRefusal } from '../invoices/domain/intake-refusal';
import { parseOfflineMarking, parseTechnicalCorrectionOf } from '../invoices/domain/offline-marking';
import { freeTextFields, refuseUnstorableText } from '../invoices/domain/storable-text';
import { invoiceView } from '../invoices/invoice.view';
import { SubmitInvoiceUseCase } from './submit-invoice.use-case';

/** Exactly one of `xml` (the document as a JSON string, sent as UTF-8) or `xmlBase64` (its exact bytes). */
const submitBody = z
  .object({
    erpDocumentId: erpDocumentIdSchema,
    xml: z.string().min(1).optional(),
    xmlBase64: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64').optional(),
    metadata: invoiceMetadataSchema.optional(),
    // Checked by parseOfflineMarking / parseTechnicalCorrectionOf for precise codes (OFFLINE_MODE_UNKNOWN, ...).
    offline: z.unknown().optional(),
    technicalCorrectionOf: z.unknown().optional(),
  })
  .strict()
  .refine((b) => (b.xml === undefined) !== (b.xmlBase64 === undefined), { message: 'give exactly one of xml or xmlBase64', path: ['xml'] });

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The HTTP door: `POST /v1/invoices` with an `Idempotency-Key`. 201 for a new invoice, 200 for a repeated submission. */
@Controller('v1/invoices')
@UseGuards(ApiKeyGuard)
@UseFilters(ApiErrorFilter)
export class SubmitInvoiceController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SubmitInvoiceUseCase) private readonly submit: SubmitInvoiceUseCase,
    private readonly metrics: IntakeMetrics,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Req() request: TenantRequest, @Res({ passthrough: true }) reply: FastifyReply, @Headers('idempotency-key') idempotencyKey: string | undefined, @Body() body: unknown) {
    if (!idempotencyKey || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError(400, 'IDEMPOTENCY_KEY_REQUIRED', 'An Idempotency-Key header (1-200 printable ASCII characters) is required');
    }
    // Before the schema, so that the code names the character problem whatever else is wrong.
    refuseUnstorableText(freeTextFields(body));
    const parsed = submitBody.safeParse(body ?? {});
    if (!parsed.success) {
      throw new ApiError(400, 'REQUEST_INVALID', 'The request body is invalid', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }
    const { erpDocumentId, xml, xmlBase64, metadata } = parsed.data;
    const tenantId = tenantOf(request);
    const result = await withTransaction(this.dataSource, (manager) =>
      this.submit.execute(manager, {
        tenantId,
        erpDocumentId,
        xml: xml !== undefined ? Buffer.from(xml, 'utf8') : Buffer.from(xmlBase64 ?? '', 'base64'),
        metadata: metadata ?? {},
        idempotencyKey,
        // Parsed inside, so that a refused marking is counted with the other refusals.
        offline: parseOfflineMarking(parsed.data.offline),
        technicalCorrectionOf: parseTechnicalCorrectionOf(parsed.data.technicalCorrectionOf),
        actor: 'intake:http',
      }),
    ).catch((error: unknown) => {
      if (error instanceof IntakeRefusal) this.metrics.submission('http', 'refused', error.code);
      throw error;
    });
    this.metrics.submission('http', result.created ? 'created' : 'existing');
    void reply.header('location', `/v1/invoices/${result.invoice.id}`);
    if (!result.created) void reply.status(200);
    return invoiceView(result.invoice);
  }
}
