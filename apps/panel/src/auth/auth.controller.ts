import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { INVOICE_STATE_LABELS_PL, INVOICE_STATES } from '@ksef-bridge/invoice-domain';
import { PanelErrorFilter, PanelHttpError } from '../http/panel-error.filter';
import { PANEL_SETTINGS, SESSION_COOKIE, type PanelSettings } from '../panel.settings';
import { can, type PanelUser } from './access-policy';
import { AuthRepository } from './auth.repository';
import { DUMMY_HASH_PASSWORD, hashPassword, verifyPassword } from './password';
import { checkCsrf, SessionGuard, userOf, type PanelRequest } from './session.guard';

/** Failed logins one client address may make, as a multiple of PANEL_LOGIN_MAX_FAILURES (per user name). */
const IP_FAILURE_FACTOR = 5;
// A U+0000 in the name would reach PostgreSQL (which refuses it in text) as a lookup and a failure key: 400 instead.
const loginBody = z.object({ username: z.string().min(1).max(100).refine((s) => !s.includes('\u0000')), password: z.string().min(1).max(1000) }).strict();

/** What the SPA needs to know about the person: name, role, tenant and the actions offered. */
export function meView(user: PanelUser) {
  return {
    username: user.username,
    role: user.role,
    tenantId: user.tenantId,
    can: { retry: can(user, 'retry'), cancel: can(user, 'cancel'), resubmit: can(user, 'resubmit'), acknowledge: can(user, 'acknowledge'), allTenants: can(user, 'all-tenants'), manageUsers: can(user, 'manage-users') },
    states: INVOICE_STATES.map((s) => ({ state: s, labelPl: INVOICE_STATE_LABELS_PL[s] })),
  };
}

/**
 * Login with a server-side session in an httpOnly SameSite=Strict cookie. Failed logins are counted per user name
 * and per client address; past PANEL_LOGIN_MAX_FAILURES for the name (5 times that for the address) within
 * PANEL_LOGIN_LOCK_MS, logins are refused with 429 (even with the right password) until the window passes.
 */
@Controller('api/auth')
@UseFilters(PanelErrorFilter)
export class AuthController {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AuthRepository) private readonly auth: AuthRepository,
    @Inject(PANEL_SETTINGS) private readonly settings: PanelSettings,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Req() request: PanelRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown) {
    checkCsrf(request);
    const parsed = loginBody.safeParse(body ?? {});
    if (!parsed.success) throw new PanelHttpError(400, 'REQUEST_INVALID', 'username and password are required');
    const { username, password } = parsed.data;
    const keys = [`user:${username.toLowerCase()}`, `ip:${request.ip}`];
    const { maxFailures, lockMs } = this.settings.login;
    const failures = await this.auth.recentFailures(this.dataSource, keys, lockMs);
    // One address may hold several people (an office behind NAT): it gets IP_FAILURE_FACTOR times the user's budget.
    if (failures[keys[0]] >= maxFailures || failures[keys[1]] >= maxFailures * IP_FAILURE_FACTOR) {
      void reply.header('retry-after', String(Math.ceil(lockMs / 1000)));
      throw new PanelHttpError(429, 'LOGIN_LOCKED', 'Too many failed logins; try again later');
    }
    const user = await this.auth.findUser(this.dataSource, username.toLowerCase());
    // Unknown users cost a hash check too, so response times do not reveal which names exist.
    const ok = user && !user.disabled ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await this.dummy()), false);
    if (!ok || !user) {
      await this.auth.recordFailure(this.dataSource, keys);
      throw new PanelHttpError(401, 'LOGIN_FAILED', 'Wrong user name or password');
    }
    await this.auth.clearFailures(this.dataSource, keys[0]);
    const token = await this.auth.openSession(this.dataSource, user.username, this.settings.sessionTtlMs);
    void reply.header('set-cookie', this.cookie(token, Math.floor(this.settings.sessionTtlMs / 1000)));
    return meView(user);
  }

  @Post('logout')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  async logout(@Req() request: PanelRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (request.sessionToken) await this.auth.closeSession(this.dataSource, request.sessionToken);
    void reply.header('set-cookie', this.cookie('', 0));
    return { loggedOut: true };
  }

  @Get('me')
  @UseGuards(SessionGuard)
  me(@Req() request: PanelRequest) {
    return meView(userOf(request));
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${this.settings.cookieSecure ? '; Secure' : ''}`;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(DUMMY_HASH_PASSWORD);
    return this.dummyHash;
  }
}
