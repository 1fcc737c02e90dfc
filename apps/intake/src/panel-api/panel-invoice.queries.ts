import type { DataSource } from 'typeorm';
import { INVOICE_STATES, type InvoiceState } from '@ksef-bridge/invoice-domain';
import type { InvoiceRow } from '../invoices/invoice.repository';

/** Filters of the panel's invoice list. `tenant` undefined means every tenant (the panel decides who may ask that). */
export interface InvoiceFilter {
  tenant?: string;
  state?: InvoiceState;
  contextNip?: string;
  erpDocumentId?: string;
  ksefNumber?: string;
  /** created_at >= from, created_at < to (ISO dates). */
  from?: string;
  to?: string;
  /** Case-insensitive text searched in the error codes and details (error bodies, validation issues) of the history. */
  q?: string;
  limit: number;
  offset: number;
}

export interface InvoiceListItem {
  id: string;
  tenantId: string;
  erpDocumentId: string;
  state: InvoiceState;
  contextNip: string | null;
  invoiceNumber: string | null;
  ksefNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastErrorCode: string | null;
  /** Issued offline: its mode (NULL online); a technical correction names the invoice it corrects. */
  offlineMode: string | null;
  technicalCorrectionOf: string | null;
}

export interface Dashboard {
  counts: Record<string, number>;
  /** Age in seconds of the oldest invoice waiting in QUEUED (0 when none). */
  oldestQueuedAgeSeconds: number;
  recentProblems: Array<{ invoiceId: string; tenantId: string; erpDocumentId: string; toState: string; errorCode: string | null; at: Date }>;
}

/** Escapes LIKE wildcards so a search for `50%` finds the text `50%`. */
const likeLiteral = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Read models of the operator panel over intake's own tables (intake owns invoices and their history; the panel
 * reaches them only through intake's internal API). Every query takes the tenant scope as a bound parameter.
 */
export class PanelInvoiceQueries {
  private readonly s: string;
  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  async list(db: DataSource, f: InvoiceFilter): Promise<{ items: InvoiceListItem[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (f.tenant !== undefined) add((p) => `i.tenant_id = ${p}`, f.tenant);
    if (f.state) add((p) => `i.state = ${p}`, f.state);
    if (f.contextNip) add((p) => `i.context_nip = ${p}`, f.contextNip);
    if (f.erpDocumentId) add((p) => `i.erp_document_id ILIKE ${p}`, likeLiteral(f.erpDocumentId));
    if (f.ksefNumber) add((p) => `i.ksef_number = ${p}`, f.ksefNumber);
    if (f.from) add((p) => `i.created_at >= ${p}::timestamptz`, f.from);
    if (f.to) add((p) => `i.created_at < ${p}::timestamptz`, f.to);
    if (f.q) add((p) => `EXISTS (SELECT 1 FROM ${this.s}.invoice_history h WHERE h.invoice_id = i.id AND (h.error_code ILIKE ${p} OR h.details::text ILIKE ${p}))`, likeLiteral(f.q));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = (await db.query(`SELECT count(*)::int AS total FROM ${this.s}.invoices i ${clause}`, params)) as Array<{ total: number }>;
    const items: InvoiceListItem[] = await db.query(
      `SELECT i.id, i.tenant_id AS "tenantId", i.erp_document_id AS "erpDocumentId", i.state, i.context_nip AS "contextNip",
         i.invoice_number AS "invoiceNumber", i.ksef_number AS "ksefNumber", i.created_at AS "createdAt", i.updated_at AS "updatedAt",
         i.offline_mode AS "offlineMode", i.technical_correction_of AS "technicalCorrectionOf",
         (SELECT h.error_code FROM ${this.s}.invoice_history h WHERE h.invoice_id = i.id AND h.error_code IS NOT NULL ORDER BY h.id DESC LIMIT 1) AS "lastErrorCode"
       FROM ${this.s}.invoices i ${clause} ORDER BY i.updated_at DESC, i.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items, total };
  }

  /** One invoice, scoped: with a tenant, another tenant's invoice is not found. */
  async tenantOf(db: DataSource, id: string, tenant: string | undefined): Promise<string | undefined> {
    const rows: Array<{ tenant_id: string }> = await db.query(`SELECT tenant_id FROM ${this.s}.invoices WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)`, [id, tenant ?? null]);
    return rows[0]?.tenant_id;
  }

  async dashboard(db: DataSource, tenant: string | undefined): Promise<Dashboard> {
    const scope = `($1::text IS NULL OR tenant_id = $1)`;
    const rows: Array<{ state: string; n: number }> = await db.query(`SELECT state, count(*)::int AS n FROM ${this.s}.invoices WHERE ${scope} GROUP BY state`, [tenant ?? null]);
    const counts = Object.fromEntries(INVOICE_STATES.map((s) => [s, 0])) as Record<string, number>;
    for (const r of rows) counts[r.state] = r.n;
    const [age] = (await db.query(`SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(updated_at)), 0)::float AS age FROM ${this.s}.invoices WHERE state = 'QUEUED' AND ${scope}`, [tenant ?? null])) as Array<{ age: number }>;
    const recentProblems = await db.query(
      `SELECT h.invoice_id AS "invoiceId", i.tenant_id AS "tenantId", i.erp_document_id AS "erpDocumentId", h.to_state AS "toState", h.error_code AS "errorCode", h.at
       FROM ${this.s}.invoice_history h JOIN ${this.s}.invoices i ON i.id = h.invoice_id
       WHERE h.to_state IN ('REJECTED', 'INVALID', 'ESCALATED', 'TECHNICAL_ERROR') AND ($1::text IS NULL OR i.tenant_id = $1)
       ORDER BY h.id DESC LIMIT 10`,
      [tenant ?? null],
    );
    return { counts, oldestQueuedAgeSeconds: Math.round(age?.age ?? 0), recentProblems };
  }
}

export type { InvoiceRow };
