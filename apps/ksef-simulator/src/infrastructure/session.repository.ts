import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Status } from '../domain/statuses';

export interface SessionRow {
  reference_number: string;
  session_type: 'Online' | 'Batch';
  auth_reference: string;
  context_type: string;
  context_value: string;
  form_code: { systemCode: string; schemaVersion: string; value: string };
  aes_key: Buffer | null;
  iv: Buffer;
  status_code: number;
  status_description: string;
  status_details: string[] | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  valid_until: Date;
  invoice_count: number;
  offline_mode: boolean;
  batch: unknown;
  upo_reference: string | null;
}

export interface SessionCounts {
  total: number;
  pending: number;
  successful: number;
  failed: number;
}

/** Interactive and batch sessions. */
@Injectable()
export class SessionRepository {
  constructor(private readonly db: DataSource) {}

  async create(row: Omit<SessionRow, 'updated_at' | 'closed_at' | 'invoice_count' | 'upo_reference' | 'status_details'>): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.sessions (reference_number, session_type, auth_reference, context_type, context_value, form_code, aes_key, iv,
         status_code, status_description, created_at, updated_at, valid_until, offline_mode, batch)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $11, $12, $13, $14::jsonb)`,
      [
        row.reference_number,
        row.session_type,
        row.auth_reference,
        row.context_type,
        row.context_value,
        JSON.stringify(row.form_code),
        row.aes_key,
        row.iv,
        row.status_code,
        row.status_description,
        row.created_at,
        row.valid_until,
        row.offline_mode,
        row.batch === undefined || row.batch === null ? null : JSON.stringify(row.batch),
      ],
    );
  }

  async find(referenceNumber: string): Promise<SessionRow | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.sessions WHERE reference_number = $1', [referenceNumber])) as SessionRow[];
    return rows[0];
  }

  async setStatus(referenceNumber: string, status: Status, at: Date, extra: { closedAt?: Date; upoReference?: string } = {}): Promise<void> {
    await this.db.query(
      `UPDATE ksef_simulator.sessions SET status_code = $2, status_description = $3, status_details = $4::jsonb, updated_at = $5,
         closed_at = COALESCE($6, closed_at), upo_reference = COALESCE($7, upo_reference) WHERE reference_number = $1`,
      [referenceNumber, status.code, status.description, status.details ? JSON.stringify(status.details) : null, at, extra.closedAt ?? null, extra.upoReference ?? null],
    );
  }

  /** Sets the invoice count reached so far (the in-memory counter is the source while the session is open). */
  async setInvoiceCount(referenceNumber: string, count: number): Promise<void> {
    await this.db.query('UPDATE ksef_simulator.sessions SET invoice_count = GREATEST(invoice_count, $2) WHERE reference_number = $1', [referenceNumber, count]);
  }

  async counts(referenceNumber: string): Promise<SessionCounts> {
    const rows = (await this.db.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status_code IN (100, 150))::int AS pending,
              count(*) FILTER (WHERE status_code = 200)::int AS successful, count(*) FILTER (WHERE status_code >= 400)::int AS failed
       FROM ksef_simulator.invoices WHERE session_reference = $1`,
      [referenceNumber],
    )) as SessionCounts[];
    return rows[0];
  }

  /** Open sessions whose validity (online) or upload window (batch) has passed at simulated time `now`. */
  async expiredOpen(now: Date): Promise<{ reference_number: string; session_type: 'Online' | 'Batch' }[]> {
    return (await this.db.query('SELECT reference_number, session_type FROM ksef_simulator.sessions WHERE status_code = 100 AND valid_until < $1', [now])) as {
      reference_number: string;
      session_type: 'Online' | 'Batch';
    }[];
  }

  async maxOrdinal(referenceNumber: string): Promise<number> {
    const rows = (await this.db.query('SELECT COALESCE(max(ordinal), 0)::int AS max FROM ksef_simulator.invoices WHERE session_reference = $1', [referenceNumber])) as { max: number }[];
    return rows[0].max;
  }

  /** Sessions waiting for their invoices to finish (closed online sessions, batch sessions in processing). */
  async awaitingFinalization(): Promise<string[]> {
    const rows = (await this.db.query("SELECT reference_number FROM ksef_simulator.sessions WHERE status_code IN (150, 170)")) as { reference_number: string }[];
    return rows.map((r) => r.reference_number);
  }

  async list(
    filter: { contextType: string; contextValue: string; sessionType: string; referenceNumber?: string; statusCodes?: number[]; ranges?: Partial<Record<'created_at' | 'closed_at' | 'updated_at', { from?: Date; to?: Date }>> },
    offset: number,
    limit: number,
  ) {
    const params: unknown[] = [filter.contextType, filter.contextValue, filter.sessionType];
    let where = 'context_type = $1 AND context_value = $2 AND session_type = $3';
    if (filter.referenceNumber) {
      params.push(filter.referenceNumber);
      where += ` AND reference_number = $${params.length}`;
    }
    if (filter.statusCodes?.length) {
      params.push(filter.statusCodes);
      where += ` AND status_code = ANY($${params.length}::int[])`;
    }
    for (const [column, range] of Object.entries(filter.ranges ?? {})) {
      if (range?.from) {
        params.push(range.from);
        where += ` AND ${column} >= $${params.length}`;
      }
      if (range?.to) {
        params.push(range.to);
        where += ` AND ${column} <= $${params.length}`;
      }
    }
    params.push(limit, offset);
    return (await this.db.query(
      `SELECT s.*, (SELECT count(*) FROM ksef_simulator.invoices i WHERE i.session_reference = s.reference_number)::int AS total, (SELECT count(*) FILTER (WHERE status_code = 200) FROM ksef_simulator.invoices i WHERE i.session_reference = s.reference_number)::int AS successful,
              (SELECT count(*) FILTER (WHERE status_code >= 400) FROM ksef_simulator.invoices i WHERE i.session_reference = s.reference_number)::int AS failed
       FROM ksef_simulator.sessions s WHERE ${where} ORDER BY created_at DESC, reference_number LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    )) as (SessionRow & { total: number; successful: number; failed: number })[];
  }
}
