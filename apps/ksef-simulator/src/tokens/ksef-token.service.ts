import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { generateReferenceNumber } from '@ksef-bridge/ksef-spec';
import { SimClock } from '../domain/clock';
import { KsefError } from '../domain/ksef-error';
import { KsefTokenRepository, type KsefTokenRow } from '../infrastructure/ksef-token.repository';

export const TOKEN_PERMISSIONS = ['InvoiceRead', 'InvoiceWrite', 'CredentialsRead', 'CredentialsManage', 'SubunitManage', 'EnforcementOperations', 'Introspection'] as const;

export function tokenSecretHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Issues and manages KSeF tokens. Token text mirrors KSeF's shape: `{referenceNumber}|{ctx}-{value}|{secret}`. */
@Injectable()
export class KsefTokenService {
  constructor(
    private readonly tokens: KsefTokenRepository,
    private readonly clock: SimClock,
  ) {}

  async issue(contextType: string, contextValue: string, permissions: string[], description: string, author: { type: string; value: string }) {
    const now = this.clock.date();
    const referenceNumber = generateReferenceNumber('EC', now);
    const token = `${referenceNumber}|${contextType.toLowerCase()}-${contextValue}|${randomBytes(32).toString('hex')}`;
    await this.tokens.create({
      reference_number: referenceNumber,
      secret_hash: tokenSecretHash(token),
      context_type: contextType,
      context_value: contextValue,
      permissions,
      description,
      status: 'Active',
      author,
      created_at: now,
    });
    return { referenceNumber, token };
  }

  async owned(referenceNumber: string, contextType: string, contextValue: string): Promise<KsefTokenRow> {
    const row = await this.tokens.find(referenceNumber);
    if (!row || row.context_type !== contextType || row.context_value !== contextValue) {
      throw new KsefError(404, 'notFound', `Token o numerze referencyjnym ${referenceNumber} nie został znaleziony.`);
    }
    return row;
  }

  async revoke(referenceNumber: string, contextType: string, contextValue: string): Promise<void> {
    await this.owned(referenceNumber, contextType, contextValue);
    await this.tokens.setStatus(referenceNumber, 'Revoked');
  }

  static view(row: KsefTokenRow) {
    return {
      referenceNumber: row.reference_number,
      authorIdentifier: { type: row.author.type, value: row.author.value },
      contextIdentifier: { type: row.context_type, value: row.context_value },
      description: row.description,
      requestedPermissions: row.permissions,
      dateCreated: new Date(row.created_at).toISOString(),
      lastUseDate: row.last_use_at ? new Date(row.last_use_at).toISOString() : null,
      status: row.status,
      statusDetails: [],
    };
  }
}
