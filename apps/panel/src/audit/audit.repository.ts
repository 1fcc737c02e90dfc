import type { DataSource } from 'typeorm';
import type { PanelUser } from '../auth/access-policy';

export interface AuditEntry {
  id: string;
  at: Date;
  username: string;
  role: string;
  action: string;
  invoiceId: string | null;
  tenantId: string | null;
  reason: string;
  outcome: string;
  details: unknown;
}

/** The append-only audit trail of interventions (a trigger refuses UPDATE, DELETE, TRUNCATE) and acknowledgements. */
export class AuditRepository {
  private readonly s: string;
  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  async record(db: DataSource, user: PanelUser, e: { action: string; invoiceId?: string; tenantId?: string; reason: string; outcome: string; details?: unknown }): Promise<void> {
    await db.query(`INSERT INTO ${this.s}.audit_log (username, role, action, invoice_id, tenant_id, reason, outcome, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      user.username,
      user.role,
      e.action,
      e.invoiceId ?? null,
      e.tenantId ?? null,
      e.reason,
      e.outcome,
      e.details === undefined ? null : JSON.stringify(e.details),
    ]);
  }

  forInvoice(db: DataSource, invoiceId: string): Promise<AuditEntry[]> {
    return db.query(
      `SELECT id::text, at, username, role, action, invoice_id AS "invoiceId", tenant_id AS "tenantId", reason, outcome, details FROM ${this.s}.audit_log WHERE invoice_id = $1 ORDER BY id`,
      [invoiceId],
    );
  }

  recent(db: DataSource, tenant: string | undefined, limit = 50): Promise<AuditEntry[]> {
    return db.query(
      `SELECT id::text, at, username, role, action, invoice_id AS "invoiceId", tenant_id AS "tenantId", reason, outcome, details FROM ${this.s}.audit_log
       WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY id DESC LIMIT $2`,
      [tenant ?? null, limit],
    );
  }

  /** Marks an escalation as seen by a person; the first acknowledgement stays. Returns false when one existed. */
  async acknowledge(db: DataSource, user: PanelUser, invoiceId: string, tenantId: string, note: string): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `INSERT INTO ${this.s}.acknowledgements (invoice_id, tenant_id, username, note) VALUES ($1, $2, $3, $4) ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`,
      [invoiceId, tenantId, user.username, note],
    );
    return rows.length === 1;
  }

  async acknowledgement(db: DataSource, invoiceId: string): Promise<{ username: string; note: string; at: Date } | undefined> {
    const rows: Array<{ username: string; note: string; at: Date }> = await db.query(`SELECT username, note, at FROM ${this.s}.acknowledgements WHERE invoice_id = $1`, [invoiceId]);
    return rows[0];
  }
}
