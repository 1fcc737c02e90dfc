import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessService } from '../auth/access.service';
import { pageSize } from '../auth/auth.controller';
import { ksefException } from '../domain/ksef-error';
import { SessionViewsService } from './session-views.service';

const READ_PERMISSIONS = ['InvoiceWrite', 'Introspection', 'EnforcementOperations'];

/** `GET /sessions/*`: session list, status, invoices, failed invoices, UPOs. */
@Controller('sessions')
export class SessionStatusController {
  constructor(
    private readonly views: SessionViewsService,
    private readonly access: AccessService,
  ) {}

  @Get()
  async list(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('sessionType') sessionType?: string,
    @Query('referenceNumber') referenceNumber?: string,
    @Query('statuses') statuses?: string | string[],
    @Query('pageSize') size?: string,
  ) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    if (sessionType !== 'Online' && sessionType !== 'Batch') throw ksefException('validation', 'sessionType: wymagana wartość Online lub Batch');
    const q = req.query as Record<string, string | undefined>;
    const date = (name: string) => {
      const value = q[name];
      if (value === undefined) return undefined;
      const parsed = new Date(value);
      if (Number.isNaN(parsed.getTime())) throw ksefException('validation', `${name}: nieprawidłowa data ${value}`);
      return parsed;
    };
    const ranges = {
      created_at: { from: date('dateCreatedFrom'), to: date('dateCreatedTo') },
      closed_at: { from: date('dateClosedFrom'), to: date('dateClosedTo') },
      updated_at: { from: date('dateModifiedFrom'), to: date('dateModifiedTo') },
    };
    const list = await this.views.listSessions(ctx, req, { sessionType, referenceNumber, statuses: statuses === undefined ? undefined : [statuses].flat(), ranges }, pageSize(size));
    if (list.continuationToken) void reply.header('x-continuation-token', list.continuationToken);
    return list;
  }

  @Get(':referenceNumber')
  async status(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    return this.views.sessionStatus(req, ctx, referenceNumber);
  }

  @Get(':referenceNumber/invoices')
  async invoices(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Param('referenceNumber') ref: string, @Query('pageSize') size?: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    const list = await this.views.invoiceList(req, ctx, ref, false, pageSize(size));
    if (list.continuationToken) void reply.header('x-continuation-token', list.continuationToken);
    return list;
  }

  @Get(':referenceNumber/invoices/failed')
  async failed(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Param('referenceNumber') ref: string, @Query('pageSize') size?: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    const list = await this.views.invoiceList(req, ctx, ref, true, pageSize(size));
    if (list.continuationToken) void reply.header('x-continuation-token', list.continuationToken);
    return list;
  }

  @Get(':referenceNumber/invoices/ksef/:ksefNumber/upo')
  @Header('content-type', 'application/xml')
  async upoByKsefNumber(@Req() req: FastifyRequest, @Param('referenceNumber') ref: string, @Param('ksefNumber') ksefNumber: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    await this.views.assertOwned(ctx, ref);
    return this.views.invoiceUpo(ref, { ksefNumber });
  }

  @Get(':referenceNumber/invoices/:invoiceReferenceNumber/upo')
  @Header('content-type', 'application/xml')
  async upoByReference(@Req() req: FastifyRequest, @Param('referenceNumber') ref: string, @Param('invoiceReferenceNumber') invoiceRef: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    await this.views.assertOwned(ctx, ref);
    return this.views.invoiceUpo(ref, { invoiceRef });
  }

  @Get(':referenceNumber/invoices/:invoiceReferenceNumber')
  async invoice(@Req() req: FastifyRequest, @Param('referenceNumber') ref: string, @Param('invoiceReferenceNumber') invoiceRef: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    return this.views.invoiceStatus(req, ctx, ref, invoiceRef);
  }

  @Get(':referenceNumber/upo/:upoReferenceNumber')
  @Header('content-type', 'application/xml')
  async sessionUpo(@Req() req: FastifyRequest, @Param('referenceNumber') ref: string, @Param('upoReferenceNumber') upoRef: string) {
    const ctx = await this.access.access(req, ...READ_PERMISSIONS);
    await this.views.assertOwned(ctx, ref);
    return this.views.sessionUpo(ref, upoRef);
  }
}
