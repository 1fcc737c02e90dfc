import type { DataSource, EntityManager } from 'typeorm';
import type { InvoiceState } from '@ksef-bridge/invoice-domain';

export interface InvoiceRow {
  id: string;
  tenantId: string;
  erpDocumentId: string;
  idempotencyKey: string | null;
  contentSha256: string;
  sizeBytes: number;
  state: InvoiceState;
  metadata: Record<string, string>;
  contextNip: string | null;
  invoiceNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface HistoryEntry {
  fromState: InvoiceState | null;
  toState: InvoiceState;
  actor: string;
  ksefReferenceNumber?: string;
  ksefNumber?: string;
  httpStatus?: number;
  errorCode?: string;
  /** Full error body or other facts (e.g. every validation issue). */
  details?: unknown;
}

export interface HistoryRow extends HistoryEntry {
  id: string;
  at: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", erp_document_id AS "erpDocumentId", idempotency_key AS "idempotencyKey",
  content_sha256 AS "contentSha256", size_bytes AS "sizeBytes", state, metadata, context_nip AS "contextNip",
  invoice_number AS "invoiceNumber", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** SQL of the invoice aggregate: the invoice row, its stored document (claim check) and its append-only history. */
export class InvoiceRepository {
  private readonly s: string;

  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  async findByErpDocumentId(db: EntityManager | DataSource, tenantId: string, erpDocumentId: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await db.query(`SELECT ${COLUMNS} FROM ${this.s}.invoices WHERE tenant_id = $1 AND erp_document_id = $2`, [tenantId, erpDocumentId]);
    return rows[0];
  }

  async findByIdempotencyKey(db: EntityManager | DataSource, tenantId: string, key: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await db.query(`SELECT ${COLUMNS} FROM ${this.s}.invoices WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key]);
    return rows[0];
  }

  /** Tenant-scoped read: another tenant's invoice is simply not found. */
  async findForTenant(db: EntityManager | DataSource, tenantId: string, id: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await db.query(`SELECT ${COLUMNS} FROM ${this.s}.invoices WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  /** Locks the row for a transition (other transitions of the same invoice wait). */
  async lockById(manager: EntityManager, id: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await manager.query(`SELECT ${COLUMNS} FROM ${this.s}.invoices WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0];
  }

  /** Inserts a RECEIVED invoice with its document; false when (tenant, ERP id) or (tenant, idempotency key) exists. */
  async insertReceived(
    manager: EntityManager,
    row: { id: string; tenantId: string; erpDocumentId: string; idempotencyKey?: string; contentSha256: string; metadata: Record<string, string> },
    content: Buffer,
  ): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await manager.query(
      `INSERT INTO ${this.s}.invoices (id, tenant_id, erp_document_id, idempotency_key, content_sha256, size_bytes, state, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, 'RECEIVED', $7) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [row.id, row.tenantId, row.erpDocumentId, row.idempotencyKey ?? null, row.contentSha256, content.length, JSON.stringify(row.metadata)],
    );
    if (!rows[0]) return undefined;
    await manager.query(`INSERT INTO ${this.s}.invoice_documents (invoice_id, content) VALUES ($1, $2)`, [row.id, content]);
    return rows[0];
  }

  /** Sets the new state (the database trigger refuses transitions the state machine does not allow). */
  async updateState(manager: EntityManager, id: string, to: InvoiceState, facts: { contextNip?: string; invoiceNumber?: string } = {}): Promise<void> {
    await manager.query(
      `UPDATE ${this.s}.invoices SET state = $2, updated_at = now(), context_nip = COALESCE($3, context_nip), invoice_number = COALESCE($4, invoice_number) WHERE id = $1`,
      [id, to, facts.contextNip ?? null, facts.invoiceNumber ?? null],
    );
  }

  async appendHistory(manager: EntityManager, invoiceId: string, entry: HistoryEntry): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.invoice_history (invoice_id, from_state, to_state, actor, ksef_reference_number, ksef_number, http_status, error_code, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        invoiceId,
        entry.fromState,
        entry.toState,
        entry.actor,
        entry.ksefReferenceNumber ?? null,
        entry.ksefNumber ?? null,
        entry.httpStatus ?? null,
        entry.errorCode ?? null,
        entry.details === undefined ? null : JSON.stringify(entry.details),
      ],
    );
  }

  async history(db: EntityManager | DataSource, invoiceId: string): Promise<HistoryRow[]> {
    const rows: Array<Record<string, unknown>> = await db.query(
      `SELECT id, from_state, to_state, at, actor, ksef_reference_number, ksef_number, http_status, error_code, details
       FROM ${this.s}.invoice_history WHERE invoice_id = $1 ORDER BY id`,
      [invoiceId],
    );
    return rows.map((r) => ({
      id: String(r['id']),
      at: r['at'] as Date,
      fromState: r['from_state'] as InvoiceState | null,
      toState: r['to_state'] as InvoiceState,
      actor: r['actor'] as string,
      ksefReferenceNumber: (r['ksef_reference_number'] as string | null) ?? undefined,
      ksefNumber: (r['ksef_number'] as string | null) ?? undefined,
      httpStatus: (r['http_status'] as number | null) ?? undefined,
      errorCode: (r['error_code'] as string | null) ?? undefined,
      details: r['details'] ?? undefined,
    }));
  }

  /** The stored XML (claim check) of an invoice. */
  async document(db: EntityManager | DataSource, invoiceId: string): Promise<{ content: Buffer; sha256: string } | undefined> {
    const rows: Array<{ content: Buffer; sha256: string }> = await db.query(
      `SELECT d.content, i.content_sha256 AS sha256 FROM ${this.s}.invoice_documents d JOIN ${this.s}.invoices i ON i.id = d.invoice_id WHERE d.invoice_id = $1`,
      [invoiceId],
    );
    return rows[0];
  }
}
