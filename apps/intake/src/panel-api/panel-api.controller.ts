import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { erpDocumentIdSchema } from '@ksef-bridge/contracts';
import { INVOICE_STATES } from '@ksef-bridge/invoice-domain';
import { ApiError, ApiErrorFilter } from '../http/api-error.filter';
import { InternalTokenGuard } from '../http/internal-token.guard';
import { INTAKE_SETTINGS, type IntakeSettings } from '../intake.settings';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { invoiceView } from '../invoices/invoice.view';
import { PanelInterventions } from './panel-interventions';
import { PanelInvoiceQueries } from './panel-invoice.queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tenant = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/).optional();
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date');
const listQuery = z
  .object({
    tenant,
    state: z.enum(INVOICE_STATES).optional(),
    contextNip: z.string().regex(/^[0-9]{10}$/).optional(),
    erpDocumentId: z.string().min(1).max(200).optional(),
    ksefNumber: z.string().min(1).max(100).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    q: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
const scopeQuery = z.object({ tenant }).strict();
const intervention = z.object({ tenant, user: z.string().min(1).max(100), reason: z.string().min(1).max(2000) }).strict();
const resubmitBody = intervention.extend({ erpDocumentId: erpDocumentIdSchema, xml: z.string().min(1) }).strict();

/** Documents up to this size are returned with the detail (the validation view points into them). */
const MAX_INLINE_DOCUMENT = 1_000_000;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ApiError(400, 'REQUEST_INVALID', 'The request is invalid', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  return parsed.data;
}

/**
 * The operator panel's door into intake (docs/panel.md). Service-to-service only (INTERNAL_API_TOKEN); the panel
 * authenticates people and passes the tenant scope: `tenant` given = that tenant only, absent = every tenant (admins).
 */
@Controller('internal/v1/panel')
@UseGuards(InternalTokenGuard)
@UseFilters(ApiErrorFilter)
export class PanelApiController {
  private readonly queries: PanelInvoiceQueries;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(InvoiceRepository) private readonly invoices: InvoiceRepository,
    @Inject(PanelInterventions) private readonly interventions: PanelInterventions,
    @Inject(INTAKE_SETTINGS) settings: IntakeSettings,
  ) {
    this.queries = new PanelInvoiceQueries(settings.schema);
  }

  @Get('dashboard')
  dashboard(@Query() query: unknown) {
    return this.queries.dashboard(this.dataSource, parse(scopeQuery, query).tenant);
  }

  @Get('invoices')
  list(@Query() query: unknown) {
    return this.queries.list(this.dataSource, parse(listQuery, query));
  }

  @Get('invoices/:id')
  async detail(@Param('id') id: string, @Query() query: unknown) {
    const scope = parse(scopeQuery, query).tenant;
    const owner = UUID.test(id) ? await this.queries.tenantOf(this.dataSource, id, scope) : undefined;
    const invoice = owner ? await this.invoices.findForTenant(this.dataSource, owner, id) : undefined;
    if (!owner || !invoice) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    const [history, corrections, upo, document] = await Promise.all([
      this.invoices.history(this.dataSource, id),
      this.invoices.technicalCorrections(this.dataSource, id),
      invoice.upoAvailable ? this.invoices.upo(this.dataSource, owner, id) : undefined,
      invoice.sizeBytes <= MAX_INLINE_DOCUMENT ? this.invoices.document(this.dataSource, id) : undefined,
    ]);
    return { ...invoiceView(invoice, history, corrections), tenantId: owner, upoXml: upo?.xml, documentXml: document?.content.toString('utf8') };
  }

  @Post('invoices/:id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string, @Body() body: unknown) {
    return this.interventions.retry(this.uuid(id), parse(intervention, body));
  }

  @Post('invoices/:id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @Body() body: unknown) {
    return this.interventions.cancel(this.uuid(id), parse(intervention, body));
  }

  @Post('invoices/:id/resubmit')
  @HttpCode(200)
  resubmit(@Param('id') id: string, @Body() body: unknown) {
    const { erpDocumentId, xml, ...who } = parse(resubmitBody, body);
    return this.interventions.resubmit(this.uuid(id), who, { erpDocumentId, xml: Buffer.from(xml, 'utf8') });
  }

  private uuid(id: string): string {
    if (!UUID.test(id)) throw new ApiError(404, 'INVOICE_NOT_FOUND', `No invoice ${id}`);
    return id;
  }
}
