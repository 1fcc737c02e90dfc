import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type KsefTokenStatus = 'Pending' | 'Active' | 'Revoking' | 'Revoked' | 'Failed';

export interface KsefTokenRow {
  reference_number: string;
  secret_hash: string;
  context_type: string;
  context_value: string;
  permissions: string[];
  description: string;
  status: KsefTokenStatus;
  author: { type: string; value: string };
  created_at: Date;
  last_use_at: Date | null;
}

/** KSeF tokens (long-lived system credentials); only a SHA-256 of the secret is stored. */
@Injectable()
export class KsefTokenRepository {
  constructor(private readonly db: DataSource) {}

  async create(row: Omit<KsefTokenRow, 'last_use_at'>): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.ksef_tokens (reference_number, secret_hash, context_type, context_value, permissions, description, status, author, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9)`,
      [row.reference_number, row.secret_hash, row.context_type, row.context_value, JSON.stringify(row.permissions), row.description, row.status, JSON.stringify(row.author), row.created_at],
    );
  }

  async findBySecretHash(hash: string): Promise<KsefTokenRow | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.ksef_tokens WHERE secret_hash = $1', [hash])) as KsefTokenRow[];
    return rows[0];
  }

  async find(referenceNumber: string): Promise<KsefTokenRow | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.ksef_tokens WHERE reference_number = $1', [referenceNumber])) as KsefTokenRow[];
    return rows[0];
  }

  async list(contextType: string, contextValue: string, offset: number, limit: number): Promise<KsefTokenRow[]> {
    return (await this.db.query(
      'SELECT * FROM ksef_simulator.ksef_tokens WHERE context_type = $1 AND context_value = $2 ORDER BY created_at DESC, reference_number LIMIT $3 OFFSET $4',
      [contextType, contextValue, limit, offset],
    )) as KsefTokenRow[];
  }

  async setStatus(referenceNumber: string, status: KsefTokenStatus): Promise<void> {
    await this.db.query('UPDATE ksef_simulator.ksef_tokens SET status = $2 WHERE reference_number = $1', [referenceNumber, status]);
  }

  async touch(referenceNumber: string, at: Date): Promise<void> {
    await this.db.query('UPDATE ksef_simulator.ksef_tokens SET last_use_at = $2 WHERE reference_number = $1', [referenceNumber, at]);
  }
}
