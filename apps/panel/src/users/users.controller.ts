import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ROLES } from '../auth/access-policy';
import { SessionGuard, userOf, type PanelRequest } from '../auth/session.guard';
import { PanelErrorFilter, PanelHttpError } from '../http/panel-error.filter';
import { UsersService } from './users.service';

// The same grammar as the users table's CHECK constraints (and the create-user CLI).
const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,99}$/;
const TENANT = /^[a-z0-9][a-z0-9-]{1,62}$/;
const reason = z.string().trim().max(2000).refine((s) => !s.includes('\u0000'), 'must not contain U+0000').optional().default('');
const tenantId = z.string().regex(TENANT, 'lower-case letters, digits, dashes').nullable().optional().default(null);
const createBody = z.object({ username: z.string().regex(USERNAME, '2-100 of a-z 0-9 . _ @ -'), role: z.enum(ROLES), tenantId, password: z.string().max(1000), reason }).strict();
const roleBody = z.object({ role: z.enum(ROLES), tenantId, reason }).strict();
const reasonBody = z.object({ reason }).strict();
const passwordBody = z.object({ password: z.string().max(1000), reason }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new PanelHttpError(400, 'REQUEST_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** A user name from the path: anything outside the grammar cannot exist, so it is "not found" without a query. */
function target(username: string): string {
  if (!USERNAME.test(username)) throw new PanelHttpError(404, 'USER_NOT_FOUND', 'No such user');
  return username;
}

/** Admin-only user management (docs/panel.md "Users"): list, create, role, disable/enable, password reset. */
@Controller('api/users')
@UseGuards(SessionGuard)
@UseFilters(PanelErrorFilter)
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  list(@Req() request: PanelRequest, @Query('tenant') tenant?: string) {
    return this.users.list(userOf(request), typeof tenant === 'string' && TENANT.test(tenant) ? tenant : undefined);
  }

  @Post()
  @HttpCode(201)
  create(@Req() request: PanelRequest, @Body() body: unknown) {
    const admin = userOf(request);
    this.users.authorize(admin);
    const { reason: why, ...input } = parse(createBody, body);
    return this.users.create(admin, input, why);
  }

  @Post(':username/role')
  @HttpCode(200)
  role(@Req() request: PanelRequest, @Param('username') username: string, @Body() body: unknown) {
    const admin = userOf(request);
    this.users.authorize(admin);
    const { role, tenantId: tenant, reason: why } = parse(roleBody, body);
    return this.users.change(admin, target(username), { kind: 'role', role, tenantId: tenant }, why);
  }

  @Post(':username/disable')
  @HttpCode(200)
  disable(@Req() request: PanelRequest, @Param('username') username: string, @Body() body: unknown) {
    const admin = userOf(request);
    this.users.authorize(admin);
    return this.users.change(admin, target(username), { kind: 'disable' }, parse(reasonBody, body).reason);
  }

  @Post(':username/enable')
  @HttpCode(200)
  enable(@Req() request: PanelRequest, @Param('username') username: string, @Body() body: unknown) {
    const admin = userOf(request);
    this.users.authorize(admin);
    return this.users.change(admin, target(username), { kind: 'enable' }, parse(reasonBody, body).reason);
  }

  @Post(':username/password')
  @HttpCode(200)
  password(@Req() request: PanelRequest, @Param('username') username: string, @Body() body: unknown) {
    const admin = userOf(request);
    this.users.authorize(admin);
    const { password, reason: why } = parse(passwordBody, body);
    return this.users.change(admin, target(username), { kind: 'password', password }, why);
  }
}
