import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { KsefError } from '../domain/ksef-error';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { parseBody } from '../http/parse-body';
import { SettingsRepository } from '../infrastructure/settings.repository';
import { TestdataRepository } from '../infrastructure/testdata.repository';
import { SessionLimitsService } from '../sessions/session-limits.service';

const nip = z.string().regex(/^\d{10}$/, 'NIP musi mieć 10 cyfr');
const subject = z.object({
  subjectNip: nip,
  subjectType: z.enum(['EnforcementAuthority', 'VatGroup', 'JST']),
  subunits: z.array(z.object({ subjectNip: nip, description: z.string() })).nullish(),
  description: z.string().min(1),
  createdDate: z.string().nullish(),
});
const person = z.object({ nip, pesel: z.string().regex(/^\d{11}$/), isBailiff: z.boolean(), description: z.string().min(1), isDeceased: z.boolean().optional(), createdDate: z.string().nullish() });
const contextId = z.object({ type: z.string(), value: z.string() });
const permissions = z.object({
  contextIdentifier: contextId,
  authorizedIdentifier: contextId,
  permissions: z.array(z.object({ permissionType: z.string(), description: z.string() })).min(1),
});
const blockRequest = z.object({ contextIdentifier: contextId.nullish() });

/** TE `/testdata/*`: seed subjects, persons, permissions, attachments and blocked contexts. Only in test mode. */
@Controller('testdata')
export class TestdataController {
  constructor(
    private readonly repo: TestdataRepository,
    private readonly settingsRepo: SettingsRepository,
    private readonly limits: SessionLimitsService,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
  ) {}

  private requireTestMode(): void {
    if (this.settings.mode !== 'test') throw new KsefError(404, 'notFound', 'Endpointy /testdata są dostępne tylko w środowisku testowym.');
  }

  @Post('subject')
  @HttpCode(200)
  async createSubject(@Body() body: unknown) {
    this.requireTestMode();
    const r = parseBody(subject, body);
    await this.repo.upsertSubject(r.subjectNip, r.subjectType, r.description, { subunits: r.subunits ?? [] });
  }

  @Post('subject/remove')
  @HttpCode(200)
  async removeSubject(@Body() body: unknown) {
    this.requireTestMode();
    await this.repo.removeSubject(parseBody(z.object({ subjectNip: nip }), body).subjectNip);
  }

  @Post('person')
  @HttpCode(200)
  async createPerson(@Body() body: unknown) {
    this.requireTestMode();
    const r = parseBody(person, body);
    await this.repo.upsertPerson(r.nip, r.pesel, r);
  }

  @Post('person/remove')
  @HttpCode(200)
  async removePerson(@Body() body: unknown) {
    this.requireTestMode();
    await this.repo.removePerson(parseBody(z.object({ nip }), body).nip);
  }

  @Post('permissions')
  @HttpCode(200)
  async grant(@Body() body: unknown) {
    this.requireTestMode();
    const r = parseBody(permissions, body);
    const key = `permissions:${r.contextIdentifier.type}:${r.contextIdentifier.value}:${r.authorizedIdentifier.type}:${r.authorizedIdentifier.value}`;
    const current = (await this.settingsRepo.get<string[]>(key)) ?? [];
    await this.settingsRepo.set(key, [...new Set([...current, ...r.permissions.map((p) => p.permissionType)])]);
  }

  @Post('permissions/revoke')
  @HttpCode(200)
  async revoke(@Body() body: unknown) {
    this.requireTestMode();
    const r = parseBody(z.object({ contextIdentifier: contextId, authorizedIdentifier: contextId }), body);
    await this.settingsRepo.delete(`permissions:${r.contextIdentifier.type}:${r.contextIdentifier.value}:${r.authorizedIdentifier.type}:${r.authorizedIdentifier.value}`);
  }

  @Post('attachment')
  @HttpCode(200)
  async allowAttachments(@Body() body: unknown) {
    this.requireTestMode();
    await this.limits.setAttachments(parseBody(z.object({ nip }), body).nip, true);
  }

  @Post('attachment/revoke')
  @HttpCode(200)
  async revokeAttachments(@Body() body: unknown) {
    this.requireTestMode();
    await this.limits.setAttachments(parseBody(z.object({ nip, expectedEndDate: z.string().nullish() }), body).nip, false);
  }

  @Post('context/block')
  @HttpCode(200)
  async block(@Body() body: unknown) {
    this.requireTestMode();
    const ctx = parseBody(blockRequest, body).contextIdentifier;
    if (ctx) await this.repo.setBlocked(ctx.type, ctx.value, true);
  }

  @Post('context/unblock')
  @HttpCode(200)
  async unblock(@Body() body: unknown) {
    this.requireTestMode();
    const ctx = parseBody(blockRequest, body).contextIdentifier;
    if (ctx) await this.repo.setBlocked(ctx.type, ctx.value, false);
  }
}
