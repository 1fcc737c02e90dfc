import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AllowedIps } from '../domain/ip-policy';
import { generateReferenceNumber, isValidNip, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { SimClock } from '../domain/clock';
import { KsefError, ksefException } from '../domain/ksef-error';
import { AUTH_STATUS, type Status } from '../domain/statuses';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { AuthRepository, type AuthOperationRow } from '../infrastructure/auth.repository';
import { KsefTokenRepository } from '../infrastructure/ksef-token.repository';
import { TestdataRepository } from '../infrastructure/testdata.repository';
import { KeyService } from '../security/key.service';
import { XML_VALIDATOR } from '../sessions/xml-validator.provider';
import { SettingsRepository } from '../infrastructure/settings.repository';
import { certificateIdentity, verifyEnvelopedSignature } from '../domain/xades/xades-verifier';
import { TOKEN_PERMISSIONS } from '../tokens/ksef-token.service';
import { tokenSecretHash } from '../tokens/ksef-token.service';
import { AccessService } from './access.service';
import { JwtService } from './jwt.service';

const CHALLENGE_TTL_MS = 10 * 60_000;

export interface ContextIdentifier {
  type: string;
  value: string;
}

const METHOD_INFO: Record<string, { category: string; code: string; displayName: string }> = {
  Token: { category: 'Token', code: 'token.ksef', displayName: 'Token KSeF' },
  QualifiedSeal: { category: 'XadesSignature', code: 'xades.seal', displayName: 'Pieczęć (TE: certyfikat samopodpisany)' },
  QualifiedSignature: { category: 'XadesSignature', code: 'xades.signature', displayName: 'Podpis (TE: certyfikat samopodpisany)' },
};

/** Authentication: challenge, KSeF-token (and XAdES) operations, status, one-time redeem, refresh, sessions. */
@Injectable()
export class AuthService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly tokens: KsefTokenRepository,
    private readonly testdata: TestdataRepository,
    private readonly keys: KeyService,
    private readonly jwt: JwtService,
    private readonly access: AccessService,
    private readonly clock: SimClock,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
    @Inject(XML_VALIDATOR) private readonly xml: KsefXmlValidator,
    private readonly settingsRepo: SettingsRepository,
  ) {}

  /**
   * XAdES: verify the signature for real, validate the AuthTokenRequest (2.0 or 2.1) without its Signature, consume the
   * challenge, read the subject from the certificate. TE accepts self-signed certificates (unless
   * `verifyCertificateChain=true`); production mode does not.
   */
  async startWithXades(xml: string, verifyCertificateChain: boolean) {
    if (!xml.trim()) throw KsefError.exception(21001, 'Nieczytelna treść.');
    const check = verifyEnvelopedSignature(xml);
    if (!check.ok) {
      const descriptions: Record<number, string> = {
        9101: 'Nieprawidłowy dokument.',
        9102: 'Brak podpisu.',
        9103: 'Przekroczona liczba dozwolonych podpisów.',
        9105: 'Nieprawidłowy podpis.',
        21001: 'Nieczytelna treść.',
        21115: 'Nieprawidłowy certyfikat.',
      };
      throw KsefError.exception(check.code, descriptions[check.code], check.reason);
    }
    const namespace = /xmlns(?::\w+)?="(http:\/\/ksef\.mf\.gov\.pl\/auth\/token\/2\.[01])"/.exec(check.unsignedXml)?.[1];
    const schema = namespace?.endsWith('2.1') ? 'AUTH-2.1' : 'AUTH-2.0';
    const fields = {
      challenge: 't:Challenge',
      nip: 't:ContextIdentifier/t:Nip',
      internalId: 't:ContextIdentifier/t:InternalId',
      nipVatUe: 't:ContextIdentifier/t:NipVatUe',
      peppolId: 't:ContextIdentifier/t:PeppolId',
      subjectType: 't:SubjectIdentifierType',
    };
    const result = this.xml.validate(schema, check.unsignedXml, fields);
    if (!result.valid) throw KsefError.exception(21401, 'Dokument nie jest zgodny ze schemą (xsd).', ...result.problems.map((p) => p.message));
    const f = result.fields;
    if (!check.signedContent.some((c) => c.includes('AuthTokenRequest') && c.includes(f.challenge ?? '\u0000'))) {
      throw KsefError.exception(9105, 'Nieprawidłowy podpis.', 'Podpis nie obejmuje dokumentu AuthTokenRequest.');
    }
    await this.consumeChallenge(f.challenge ?? '');
    const ctx: ContextIdentifier = f.nip
      ? { type: 'Nip', value: f.nip }
      : f.internalId
        ? { type: 'InternalId', value: f.internalId }
        : f.nipVatUe
          ? { type: 'NipVatUe', value: f.nipVatUe }
          : { type: 'PeppolId', value: f.peppolId ?? '' };
    const cert = check.certificate;
    const identity = certificateIdentity(cert, f.subjectType === 'certificateFingerprint');
    const method = identity.kind === 'nip' && identity.seal ? 'QualifiedSeal' : 'QualifiedSignature';
    const documentHash = createHash('sha256').update(xml, 'utf8').digest('base64');
    const now = this.clock.date();
    let outcome: Status = AUTH_STATUS.success;
    let permissions: string[] = [];
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) outcome = AUTH_STATUS.badCertificate('Nieważny certyfikat');
    else if ((verifyCertificateChain || this.settings.mode === 'production') && cert.checkIssued(cert)) outcome = AUTH_STATUS.badCertificate('Niezaufany łańcuch certyfikatów');
    else if (await this.testdata.isBlocked(ctx.type, ctx.value)) outcome = AUTH_STATUS.blocked;
    else {
      permissions = await this.permissionsFor(ctx, identity);
      if (!permissions.length) outcome = AUTH_STATUS.noPermissions;
    }
    return this.createOperation(ctx, method, outcome, permissions, undefined, documentHash, check.allowedIps);
  }

  /** TE rules: the owner of a NIP context has every permission; others only what /testdata/permissions granted. */
  private async permissionsFor(ctx: ContextIdentifier, identity: ReturnType<typeof certificateIdentity>): Promise<string[]> {
    if (ctx.type === 'Nip' && identity.kind === 'nip' && identity.value === ctx.value && (this.settings.mode === 'test' || isValidNip(ctx.value))) {
      return [...TOKEN_PERMISSIONS];
    }
    const type = identity.kind === 'nip' ? 'Nip' : identity.kind === 'pesel' ? 'Pesel' : 'Fingerprint';
    const granted = (await this.settingsRepo.get<string[]>(`permissions:${ctx.type}:${ctx.value}:${type}:${identity.value}`)) ?? [];
    const map: Record<string, string> = { InvoiceWrite: 'InvoiceWrite', InvoiceRead: 'InvoiceRead', CredentialsManage: 'CredentialsManage', CredentialsRead: 'CredentialsRead', Introspection: 'Introspection', SubunitManage: 'SubunitManage', EnforcementOperations: 'EnforcementOperations' };
    return granted.map((g) => map[g]).filter((g): g is string => Boolean(g));
  }

  async challenge(clientIp: string) {
    const now = this.clock.date();
    const challenge = generateReferenceNumber('CR', now);
    await this.repo.saveChallenge(challenge, now.getTime(), clientIp);
    return { challenge, timestamp: now.toISOString(), timestampMs: now.getTime(), clientIp };
  }

  /** Consumes a challenge (21111 when unknown, used or older than 10 minutes); returns its timestampMs. */
  async consumeChallenge(challenge: string): Promise<number> {
    const timestampMs = await this.repo.consumeChallenge(challenge);
    if (timestampMs === undefined || this.clock.now() - timestampMs > CHALLENGE_TTL_MS) {
      throw ksefException('invalidChallenge', `Wyzwanie ${challenge} jest nieznane, wygasło lub zostało już użyte.`);
    }
    return timestampMs;
  }

  async startWithKsefToken(body: { challenge: string; contextIdentifier: ContextIdentifier; encryptedToken: string; publicKeyId?: string | null; authorizationPolicy?: { allowedIps?: AllowedIps | null } | null }) {
    const challengeMs = await this.consumeChallenge(body.challenge);
    let plain: string | undefined;
    try {
      plain = this.keys.decrypt('KsefTokenEncryption', Buffer.from(body.encryptedToken, 'base64'), body.publicKeyId).toString('utf8');
    } catch (error) {
      if (error instanceof KsefError) throw error;
      plain = undefined;
    }
    const { outcome, tokenReference, permissions } = await this.evaluateToken(plain, challengeMs, body.contextIdentifier);
    return this.createOperation(body.contextIdentifier, 'Token', outcome, permissions, tokenReference, undefined, body.authorizationPolicy?.allowedIps ?? undefined);
  }

  private async evaluateToken(plain: string | undefined, challengeMs: number, ctx: ContextIdentifier): Promise<{ outcome: Status; tokenReference?: string; permissions: string[] }> {
    if (!plain) return { outcome: AUTH_STATUS.badToken('Nieprawidłowy token'), permissions: [] };
    const separator = plain.lastIndexOf('|');
    const token = plain.slice(0, separator);
    const timestamp = Number(plain.slice(separator + 1));
    if (separator < 0 || !Number.isFinite(timestamp)) return { outcome: AUTH_STATUS.badToken('Nieprawidłowy token'), permissions: [] };
    if (timestamp !== challengeMs) return { outcome: AUTH_STATUS.badToken('Nieprawidłowy czas tokena'), permissions: [] };
    const row = await this.tokens.findBySecretHash(tokenSecretHash(token));
    if (!row) return { outcome: AUTH_STATUS.badToken('Nieprawidłowy token'), permissions: [] };
    if (row.status === 'Revoked' || row.status === 'Revoking') return { outcome: AUTH_STATUS.badToken('Token unieważniony'), tokenReference: row.reference_number, permissions: [] };
    if (row.status !== 'Active') return { outcome: AUTH_STATUS.badToken('Token nieaktywny'), tokenReference: row.reference_number, permissions: [] };
    if (row.context_type !== ctx.type || row.context_value !== ctx.value) {
      return { outcome: AUTH_STATUS.noPermissions, tokenReference: row.reference_number, permissions: [] };
    }
    if (await this.testdata.isBlocked(ctx.type, ctx.value)) return { outcome: AUTH_STATUS.blocked, tokenReference: row.reference_number, permissions: [] };
    await this.tokens.touch(row.reference_number, this.clock.date());
    return { outcome: AUTH_STATUS.success, tokenReference: row.reference_number, permissions: row.permissions };
  }

  /** Records an operation whose final status becomes visible after SIM_AUTH_DELAY_MS (status 100 until then). */
  async createOperation(ctx: ContextIdentifier, method: string, outcome: Status, permissions: string[], tokenReference?: string, authDocumentHash?: string, allowedIps?: AllowedIps) {
    const now = this.clock.date();
    const referenceNumber = generateReferenceNumber('AU', now);
    await this.repo.create({
      referenceNumber,
      contextType: ctx.type,
      contextValue: ctx.value,
      method,
      tokenReference,
      outcome,
      permissions,
      startedAt: now,
      readyAt: new Date(now.getTime() + this.settings.authDelayMs),
      authDocumentHash,
      allowedIps,
    });
    const authenticationToken = await this.jwt.sign({ typ: 'auth', sid: referenceNumber, ctxType: ctx.type, ctxValue: ctx.value, per: [] }, this.settings.authTokenTtlSeconds);
    return { referenceNumber, authenticationToken: { token: authenticationToken.token, validUntil: authenticationToken.validUntil.toISOString() } };
  }

  private effectiveStatus(op: AuthOperationRow): Status {
    if (op.revoked) return AUTH_STATUS.revoked;
    if (this.clock.now() < new Date(op.ready_at).getTime()) return AUTH_STATUS.inProgress;
    return { code: op.status_code, description: op.status_description, details: op.status_details ?? undefined };
  }

  private view(op: AuthOperationRow) {
    const status = this.effectiveStatus(op);
    return {
      startDate: new Date(op.started_at).toISOString(),
      authenticationMethod: op.method,
      authenticationMethodInfo: METHOD_INFO[op.method] ?? METHOD_INFO.Token,
      status: { code: status.code, description: status.description, ...(status.details ? { details: status.details } : {}) },
      isTokenRedeemed: op.redeemed,
      lastTokenRefreshDate: op.last_refresh_at ? new Date(op.last_refresh_at).toISOString() : null,
      refreshTokenValidUntil: op.refresh_valid_until ? new Date(op.refresh_valid_until).toISOString() : null,
    };
  }

  private async operationFor(referenceNumber: string, sid: string): Promise<AuthOperationRow> {
    const op = await this.repo.find(referenceNumber);
    if (!op) throw ksefException('authNotFound', `Operacja uwierzytelniania o numerze referencyjnym ${referenceNumber} nie została znaleziona.`);
    if (sid !== referenceNumber) throw KsefError.forbidden('insufficient-resource-access', 'Token uwierzytelniający dotyczy innej operacji.');
    return op;
  }

  async status(referenceNumber: string, sid: string) {
    return this.view(await this.operationFor(referenceNumber, sid));
  }

  async redeem(sid: string) {
    const op = await this.repo.find(sid);
    if (!op) throw ksefException('authNotFound', `Operacja uwierzytelniania o numerze referencyjnym ${sid} nie została znaleziona.`);
    const status = this.effectiveStatus(op);
    if (status.code !== 200) throw ksefException('notAuthorized', `Status uwierzytelniania (${status.code}) nie pozwala na pobranie tokenów.`);
    if (op.token_reference) {
      const token = await this.tokens.find(op.token_reference);
      if (token && token.status !== 'Active') throw ksefException('notAuthorized', 'Token KSeF został unieważniony.');
    }
    const claims = { sid, ctxType: op.context_type, ctxValue: op.context_value, per: op.permissions, ...(op.allowed_ips ? { ips: op.allowed_ips } : {}) };
    const refresh = await this.jwt.sign({ ...claims, typ: 'refresh' }, this.settings.refreshTokenTtlSeconds);
    if (!(await this.repo.markRedeemed(sid, refresh.validUntil))) {
      throw ksefException('notAuthorized', `Tokeny dla operacji uwierzytelniania ${sid} zostały już pobrane.`);
    }
    const access = await this.jwt.sign({ ...claims, typ: 'access' }, this.settings.accessTokenTtlSeconds);
    return {
      accessToken: { token: access.token, validUntil: access.validUntil.toISOString() },
      refreshToken: { token: refresh.token, validUntil: refresh.validUntil.toISOString() },
    };
  }

  async refresh(sid: string) {
    const op = await this.repo.find(sid);
    if (!op || op.revoked) throw KsefError.unauthorized('Uwierzytelnienie zostało unieważnione (session revoked).');
    const access = await this.jwt.sign(
      { typ: 'access', sid, ctxType: op.context_type, ctxValue: op.context_value, per: op.permissions, ...(op.allowed_ips ? { ips: op.allowed_ips } : {}) },
      this.settings.accessTokenTtlSeconds,
    );
    await this.repo.markRefreshed(sid, this.clock.date());
    return { accessToken: { token: access.token, validUntil: access.validUntil.toISOString() } };
  }

  async listSessions(ctx: { contextType: string; contextValue: string; authReference: string }, pageSize: number, continuationToken?: string) {
    const offset = decodeOffset(continuationToken);
    const rows = await this.repo.listActive(ctx.contextType, ctx.contextValue, offset, pageSize + 1);
    const items = rows.slice(0, pageSize).map((op) => ({ ...this.view(op), referenceNumber: op.reference_number, isCurrent: op.reference_number === ctx.authReference }));
    return { continuationToken: rows.length > pageSize ? encodeOffset(offset + pageSize) : null, items };
  }

  async revoke(referenceNumber: string, ctx: { contextType: string; contextValue: string }) {
    const op = await this.repo.find(referenceNumber);
    if (!op || op.context_type !== ctx.contextType || op.context_value !== ctx.contextValue) {
      throw ksefException('authNotFound', `Operacja uwierzytelniania o numerze referencyjnym ${referenceNumber} nie została znaleziona.`);
    }
    await this.repo.revoke(referenceNumber);
    this.access.markRevoked(referenceNumber);
  }
}

/** Continuation tokens are opaque to clients: a Base64 offset. A malformed one is 21418. */
export function decodeOffset(token?: string): number {
  if (!token) return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match) throw ksefException('continuationToken');
  return Number(match[1]);
}

export function encodeOffset(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64');
}
