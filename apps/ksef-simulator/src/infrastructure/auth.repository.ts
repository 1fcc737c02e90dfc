import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AllowedIps } from '../domain/ip-policy';
import type { Status } from '../domain/statuses';

export interface AuthOperationRow {
  reference_number: string;
  context_type: string;
  context_value: string;
  method: string;
  token_reference: string | null;
  status_code: number;
  status_description: string;
  status_details: string[] | null;
  permissions: string[];
  redeemed: boolean;
  revoked: boolean;
  refresh_valid_until: Date | null;
  last_refresh_at: Date | null;
  started_at: Date;
  ready_at: Date;
  auth_document_hash: string | null;
  allowed_ips: AllowedIps | null;
}

export interface NewAuthOperation {
  referenceNumber: string;
  contextType: string;
  contextValue: string;
  method: string;
  tokenReference?: string;
  outcome: Status;
  permissions: string[];
  startedAt: Date;
  readyAt: Date;
  authDocumentHash?: string;
  allowedIps?: AllowedIps | null;
}

/** Challenges and authentication operations (status, one-time redeem, refresh-token validity, revocation). */
@Injectable()
export class AuthRepository {
  constructor(private readonly db: DataSource) {}

  async saveChallenge(challenge: string, timestampMs: number, clientIp: string): Promise<void> {
    await this.db.query('INSERT INTO ksef_simulator.challenges (challenge, timestamp_ms, client_ip) VALUES ($1, $2, $3)', [challenge, timestampMs, clientIp]);
  }

  /** Marks the challenge used and returns its timestamp; undefined if unknown or already used. */
  async consumeChallenge(challenge: string): Promise<number | undefined> {
    const rows = (await this.db.query('UPDATE ksef_simulator.challenges SET used = true WHERE challenge = $1 AND NOT used RETURNING timestamp_ms', [challenge])) as [
      { timestamp_ms: string }[],
      number,
    ];
    const row = rows[0]?.[0];
    return row ? Number(row.timestamp_ms) : undefined;
  }

  async create(op: NewAuthOperation): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.auth_operations (reference_number, context_type, context_value, method, token_reference, status_code,
         status_description, status_details, permissions, started_at, ready_at, auth_document_hash, allowed_ips)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13::jsonb)`,
      [
        op.referenceNumber,
        op.contextType,
        op.contextValue,
        op.method,
        op.tokenReference ?? null,
        op.outcome.code,
        op.outcome.description,
        op.outcome.details ? JSON.stringify(op.outcome.details) : null,
        JSON.stringify(op.permissions),
        op.startedAt,
        op.readyAt,
        op.authDocumentHash ?? null,
        op.allowedIps ? JSON.stringify(op.allowedIps) : null,
      ],
    );
  }

  async find(referenceNumber: string): Promise<AuthOperationRow | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.auth_operations WHERE reference_number = $1', [referenceNumber])) as AuthOperationRow[];
    return rows[0];
  }

  /** One-time redeem: true only for the first caller. */
  async markRedeemed(referenceNumber: string, refreshValidUntil: Date): Promise<boolean> {
    const result = (await this.db.query(
      'UPDATE ksef_simulator.auth_operations SET redeemed = true, refresh_valid_until = $2 WHERE reference_number = $1 AND NOT redeemed RETURNING 1',
      [referenceNumber, refreshValidUntil],
    )) as [unknown[], number];
    return result[1] === 1;
  }

  async markRefreshed(referenceNumber: string, at: Date): Promise<void> {
    await this.db.query('UPDATE ksef_simulator.auth_operations SET last_refresh_at = $2 WHERE reference_number = $1', [referenceNumber, at]);
  }

  async revoke(referenceNumber: string): Promise<boolean> {
    const result = (await this.db.query('UPDATE ksef_simulator.auth_operations SET revoked = true WHERE reference_number = $1 AND NOT revoked RETURNING 1', [
      referenceNumber,
    ])) as [unknown[], number];
    return result[1] === 1;
  }

  async revokedSet(): Promise<string[]> {
    const rows = (await this.db.query('SELECT reference_number FROM ksef_simulator.auth_operations WHERE revoked')) as { reference_number: string }[];
    return rows.map((r) => r.reference_number);
  }

  /** Redeemed, unrevoked sessions of a context, newest first, for `GET /auth/sessions`. */
  async listActive(contextType: string, contextValue: string, offset: number, limit: number): Promise<AuthOperationRow[]> {
    return (await this.db.query(
      `SELECT * FROM ksef_simulator.auth_operations WHERE context_type = $1 AND context_value = $2 AND redeemed AND NOT revoked
       ORDER BY started_at DESC, reference_number LIMIT $3 OFFSET $4`,
      [contextType, contextValue, limit, offset],
    )) as AuthOperationRow[];
  }
}
