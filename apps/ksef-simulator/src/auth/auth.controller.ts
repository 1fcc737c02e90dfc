import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../http/parse-body';
import { AccessService } from './access.service';
import { AuthService } from './auth.service';

const contextIdentifier = z.object({ type: z.enum(['Nip', 'InternalId', 'NipVatUe', 'PeppolId']), value: z.string().min(1) });
const ksefTokenRequest = z.object({
  challenge: z.string().length(36),
  contextIdentifier,
  encryptedToken: z.string().min(1),
  publicKeyId: z.string().nullish(),
  authorizationPolicy: z
    .object({
      allowedIps: z
        .object({ ip4Addresses: z.array(z.string()).max(10).nullish(), ip4Ranges: z.array(z.string()).max(10).nullish(), ip4Masks: z.array(z.string()).max(10).nullish() })
        .nullish(),
    })
    .nullish(),
});

function pageSize(raw: string | undefined, min = 10, max = 1000, fallback = 10): number {
  const n = raw === undefined ? fallback : Number(raw);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** `/auth/*`: thin HTTP edge over AuthService. */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly access: AccessService,
  ) {}

  @Post('challenge')
  @HttpCode(200)
  challenge(@Req() req: FastifyRequest) {
    return this.auth.challenge(req.ip);
  }

  @Post('ksef-token')
  @HttpCode(202)
  ksefToken(@Body() body: unknown) {
    return this.auth.startWithKsefToken(parseBody(ksefTokenRequest, body));
  }

  @Post('xades-signature')
  @HttpCode(202)
  xades(@Body() body: unknown, @Query('verifyCertificateChain') verifyChain?: string) {
    return this.auth.startWithXades(typeof body === 'string' ? body : '', verifyChain === 'true');
  }

  @Get('sessions')
  async sessions(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Query('pageSize') size?: string) {
    const ctx = await this.access.access(req);
    const result = await this.auth.listSessions(ctx, pageSize(size), req.headers['x-continuation-token'] as string | undefined);
    if (result.continuationToken) void reply.header('x-continuation-token', result.continuationToken);
    return result;
  }

  @Delete('sessions/current')
  @HttpCode(204)
  async revokeCurrent(@Req() req: FastifyRequest) {
    const ctx = await this.access.access(req);
    await this.auth.revoke(ctx.authReference, ctx);
  }

  @Delete('sessions/:referenceNumber')
  @HttpCode(204)
  async revokeOne(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const ctx = await this.access.access(req);
    await this.auth.revoke(referenceNumber, ctx);
  }

  @Post('token/redeem')
  @HttpCode(200)
  async redeem(@Req() req: FastifyRequest) {
    const claims = await this.access.claims(req, 'auth');
    return this.auth.redeem(claims.sid);
  }

  @Post('token/refresh')
  @HttpCode(200)
  async refresh(@Req() req: FastifyRequest) {
    const claims = await this.access.claims(req, 'refresh');
    return this.auth.refresh(claims.sid);
  }

  @Get(':referenceNumber')
  async status(@Req() req: FastifyRequest, @Param('referenceNumber') referenceNumber: string) {
    const claims = await this.access.claims(req, 'auth');
    return this.auth.status(referenceNumber, claims.sid);
  }
}

export { pageSize };
