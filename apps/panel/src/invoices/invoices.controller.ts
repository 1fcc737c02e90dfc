import { Controller, Get, Inject, Param, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { requireAction, tenantScope } from '../auth/access-policy';
import { SessionGuard, userOf, type PanelRequest } from '../auth/session.guard';
import { AuditRepository } from '../audit/audit.repository';
import { BackendError } from '../backend/backend.client';
import { Backends } from '../backend/backends';
import { PanelErrorFilter } from '../http/panel-error.filter';
import { invoiceId } from './invoice-id';

const LIST_FILTERS = ['state', 'contextNip', 'erpDocumentId', 'ksefNumber', 'from', 'to', 'q', 'limit', 'offset'] as const;

/** Reads for every role: dashboard, invoice list with filters and search, one invoice with everything known about it. */
@Controller('api')
@UseGuards(SessionGuard)
@UseFilters(PanelErrorFilter)
export class InvoicesController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(Backends) private readonly backends: Backends,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
  ) {}

  @Get('dashboard')
  async dashboard(@Req() request: PanelRequest, @Query('tenant') tenant?: string) {
    const user = userOf(request);
    requireAction(user, 'read');
    const scope = tenantScope(user, tenant);
    const [invoices, sending] = await Promise.all([
      this.backends.intake.get('/dashboard', { tenant: scope }),
      // The sender being down must not take the dashboard with it: its part says so instead.
      this.backends.sender.get('/contexts', { tenant: scope }).catch((error: unknown) => ({ unavailable: error instanceof Error ? error.message : String(error) })),
    ]);
    return { invoices, sending };
  }

  @Get('invoices')
  list(@Req() request: PanelRequest, @Query() query: Record<string, string>) {
    const user = userOf(request);
    requireAction(user, 'read');
    const filters: Record<string, string | undefined> = { tenant: tenantScope(user, query['tenant']) };
    for (const key of LIST_FILTERS) if (query[key]) filters[key] = query[key];
    return this.backends.intake.get('/invoices', filters);
  }

  @Get('invoices/:id')
  async detail(@Req() request: PanelRequest, @Param('id') rawId: string) {
    const user = userOf(request);
    const id = invoiceId(rawId);
    requireAction(user, 'read');
    const scope = tenantScope(user);
    const path = `/invoices/${encodeURIComponent(id)}`;
    // intake decides whether the invoice exists in the scope; only then is anything else asked.
    const invoice = await this.backends.intake.get<{ tenantId: string }>(path, { tenant: scope });
    const [sending, audit, acknowledgement] = await Promise.all([
      this.backends.sender.get(`${path}/send-job`, { tenant: scope }).catch((error: unknown) => (error instanceof BackendError && error.status === 404 ? null : { unavailable: (error as Error).message })),
      this.audit.forInvoice(this.dataSource, id),
      this.audit.acknowledgement(this.dataSource, id),
    ]);
    return { invoice, sending, audit, acknowledgement: acknowledgement ?? null };
  }

  @Get('audit')
  recentAudit(@Req() request: PanelRequest, @Query('tenant') tenant?: string) {
    const user = userOf(request);
    requireAction(user, 'read');
    return this.audit.recent(this.dataSource, tenantScope(user, tenant));
  }
}
