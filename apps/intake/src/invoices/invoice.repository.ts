import type { DataSource, EntityManager } from 'typeorm';
import type { OfflineIssue } from '@ksef-bridge/contracts';
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
  /** KSeF's number once accepted (for a 440 duplicate: the original invoice's number, `ksefDuplicate`). */
  ksefNumber: string | null;
  ksefDuplicate: boolean;
  /** KSeF's acquisition date: the legal moment of issue. */
  acquisitionDate: Date | null;
  /** W3C trace id of the intake (the ERP's request or message): the invoice's trace in Jaeger. */
  traceId: string | null;
  upoAvailable: boolean;
  /** Offline issuance (API.md §11): the mode, and the period end the ERP gave; NULL for an online invoice. */
  offlineMode: OfflineIssue['mode'] | null;
  offlinePeriodEndedAt: Date | null;
  /** A technical correction: the id of the rejected offline invoice it corrects. */
  technicalCorrectionOf: string | null;
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
  invoice_number AS "invoiceNumber", ksef_number AS "ksefNumber", ksef_duplicate AS "ksefDuplicate",
  acquisition_date AS "acquisitionDate", trace_id AS "traceId", offline_mode AS "offlineMode",
  offline_period_ended_at AS "offlinePeriodEndedAt", technical_correction_of AS "technicalCorrectionOf", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The UPO of an invoice (KSeF's official receipt), as received. */
export interface UpoRow {
  invoiceId: string;
  sha256: string;
  xml: string;
  receivedAt: Date;
}

/** SQL of the invoice aggregate: the invoice row, its stored document (claim check) and its append-only history. */
export class InvoiceRepository {
  private readonly s: string;

  /** The row's columns plus whether a UPO is stored (a sub-select, so FOR UPDATE still locks only the invoice). */
  private readonly columns: string;

  constructor(schema: string) {
    this.s = `"${schema}"`;
    this.columns = `${COLUMNS}, EXISTS (SELECT 1 FROM ${this.s}.invoice_upos u WHERE u.invoice_id = invoices.id) AS "upoAvailable"`;
  }

  async findByErpDocumentId(db: EntityManager | DataSource, tenantId: string, erpDocumentId: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await db.query(`SELECT ${this.columns} FROM ${this.s}.invoices WHERE tenant_id = $1 AND erp_document_id = $2`, [tenantId, erpDocumentId]);
    return rows[0];
  }

  async findByIdempotencyKey(db: EntityManager | DataSource, tenantId: string, key: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await db.query(`SELECT ${this.columns} FROM ${this.s}.invoices WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key]);
    return rows[0];
  }

  /** Tenant-scoped read: another tenant's invoice is simply not found. */
  async findForTenant(db: EntityManager | DataSource, tenantId: string, id: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await db.query(`SELECT ${this.columns} FROM ${this.s}.invoices WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  /** Tenant-scoped look-up by KSeF number: the invoice KSeF numbered first, then any 440 duplicates resolved to it. */
  async findByKsefNumber(db: EntityManager | DataSource, tenantId: string, ksefNumber: string): Promise<InvoiceRow[]> {
    return db.query(`SELECT ${this.columns} FROM ${this.s}.invoices WHERE tenant_id = $1 AND ksef_number = $2 ORDER BY ksef_duplicate, created_at, id`, [tenantId, ksefNumber]);
  }

  /** Locks the row for a transition (other transitions of the same invoice wait). */
  async lockById(manager: EntityManager, id: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await manager.query(`SELECT ${this.columns} FROM ${this.s}.invoices WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0];
  }

  /** Inserts a RECEIVED invoice with its document; false when (tenant, ERP id) or (tenant, idempotency key) exists. */
  async insertReceived(
    manager: EntityManager,
    row: {
      id: string;
      tenantId: string;
      erpDocumentId: string;
      idempotencyKey?: string;
      contentSha256: string;
      metadata: Record<string, string>;
      offline?: OfflineIssue;
      technicalCorrectionOf?: string;
    },
    content: Buffer,
  ): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await manager.query(
      `INSERT INTO ${this.s}.invoices (id, tenant_id, erp_document_id, idempotency_key, content_sha256, size_bytes, state, metadata, offline_mode, offline_period_ended_at, technical_correction_of)
       VALUES ($1, $2, $3, $4, $5, $6, 'RECEIVED', $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING ${this.columns}`,
      [
        row.id,
        row.tenantId,
        row.erpDocumentId,
        row.idempotencyKey ?? null,
        row.contentSha256,
        content.length,
        JSON.stringify(row.metadata),
        row.offline?.mode ?? null,
        row.offline?.periodEndedAt ?? null,
        row.technicalCorrectionOf ?? null,
      ],
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

  /** Remembers the trace an invoice was taken in under (set once, with its RECEIVED state). */
  async setTraceId(manager: EntityManager, id: string, traceId: string): Promise<void> {
    await manager.query(`UPDATE ${this.s}.invoices SET trace_id = $2 WHERE id = $1 AND trace_id IS NULL`, [id, traceId]);
  }

  /**
   * Stores KSeF's number and acquisition date with the ACCEPTED transition (same transaction). A number already owned
   * by another invoice without being a duplicate violates `invoices_ksef_number` (the caller classifies it).
   */
  async recordKsefNumber(manager: EntityManager, id: string, facts: { ksefNumber: string; acquisitionDate: string; duplicate: boolean }): Promise<void> {
    await manager.query(`UPDATE ${this.s}.invoices SET ksef_number = $2, acquisition_date = $3, ksef_duplicate = $4, updated_at = now() WHERE id = $1`, [
      id,
      facts.ksefNumber,
      facts.acquisitionDate,
      facts.duplicate,
    ]);
  }

  /** Keeps the invoice's UPO; the first one stays (the table is append-only). Returns false when one was stored. */
  async storeUpo(manager: EntityManager, invoiceId: string, upo: { sha256: string; xml: string }): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.s}.invoice_upos (invoice_id, sha256, xml) VALUES ($1, $2, $3) ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`,
      [invoiceId, upo.sha256, upo.xml],
    );
    return rows.length === 1;
  }

  /** The UPO of one of the tenant's invoices (another tenant's is simply not found). */
  async upo(db: EntityManager | DataSource, tenantId: string, invoiceId: string): Promise<UpoRow | undefined> {
    const rows: UpoRow[] = await db.query(
      `SELECT u.invoice_id AS "invoiceId", u.sha256, u.xml, u.received_at AS "receivedAt"
       FROM ${this.s}.invoice_upos u JOIN ${this.s}.invoices i ON i.id = u.invoice_id WHERE i.tenant_id = $1 AND u.invoice_id = $2`,
      [tenantId, invoiceId],
    );
    return rows[0];
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

  /** The technical corrections submitted for an invoice (normally none or one), oldest first. */
  async technicalCorrections(db: EntityManager | DataSource, invoiceId: string): Promise<Array<{ id: string; erpDocumentId: string; state: InvoiceState }>> {
    return db.query(`SELECT id, erp_document_id AS "erpDocumentId", state FROM ${this.s}.invoices WHERE technical_correction_of = $1 ORDER BY created_at, id`, [invoiceId]);
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
