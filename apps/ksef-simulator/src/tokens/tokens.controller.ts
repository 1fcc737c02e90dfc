import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessService } from '../auth/access.service';
import { decodeOffset, encodeOffset } from '../auth/auth.service';
import { pageSize } from '../auth/auth.controller';
import { KsefError } from '../domain/ksef-error';
import { parseBody } from '../http/parse-body';
import { KsefTokenRepository } from '../infrastructure/ksef-token.repository';
import { KsefTokenService, TOKEN_PERMISSIONS } from './ksef-token.service';

const generateRequest = z.object({ permissions: z.array(z.enum(TOKEN_PERMISSIONS)).min(1), description: z.string().min(5).max(256) });

/** `/tokens`: KSeF tokens of the caller's context. A token cannot grant what its creator lacks (26001). */
@Controller('tokens')
export class TokensController {
  constructor(
    private readonly tokens: KsefTokenService,
    private readonly repo: KsefTokenRepository,
    private readonly access: AccessService,
  ) {}

  @Post()
  @HttpCode(202)
  async generate(@Req() req: FastifyRequest, @Body() body: unknown) {
    const ctx = await this.access.access(req, 'CredentialsManage');
    const request = parseBody(generateRequest, body);
    const missing = request.permissions.filter((p) => !ctx.permissions.includes(p));
    if (missing.length) {
      throw KsefError.exception(26001, 'Nie można nadać tokenowi uprawnień, których nie posiada podmiot uwierzytelniony.', `Brakujące uprawnienia: ${missing.join(', ')}`);
    }
    return this.tokens.issue(ctx.contextType, ctx.contextValue, request.permissions, request.description, { type: ctx.contextType, value: ctx.contextValue });
  }

  @Get()
  async list(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Query('pageSize') size?: string) {
    const ctx = await this.access.access(req, 'CredentialsRead', 'CredentialsManage');
    const offset = decodeOffset(req.headers['x-continuation-token'] as string | undefined);
    const limit = pageSize(size);
    const rows = await this.repo.list(ctx.contextType, ctx.contextValue, offset, limit + 1);
    const continuationToken = rows.length > limit ? encodeOffset(offset + limit) : null;
    if (continuationToken) void reply.header('x-continuation-token', continuationToken);
    return { continuationToken, tokens: rows.slice(0, limit).map((r) => KsefTokenService.view(r)) };
  }

  @Get(':referenceNumber')
  async status(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req, 'CredentialsRead', 'CredentialsManage');
    return KsefTokenService.view(await this.tokens.owned(referenceNumber, ctx.contextType, ctx.contextValue));
  }

  @Delete(':referenceNumber')
  @HttpCode(204)
  async revoke(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req, 'CredentialsManage');
    await this.tokens.revoke(referenceNumber, ctx.contextType, ctx.contextValue);
  }
}
