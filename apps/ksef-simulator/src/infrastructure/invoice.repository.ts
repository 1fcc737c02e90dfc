import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Status } from '../domain/statuses';

export interface InvoiceRow {
  reference_number: string;
  session_reference: string;
  ordinal: number;
  invoice_hash: string;
  invoice_size: number;
  invoice_file_name: string | null;
  content: Buffer | null;
  status_code: number;
  status_description: string;
  status_details: string[] | null;
  status_extensions: Record<string, unknown> | null;
  ksef_number: string | null;
  invoice_number: string | null;
  seller_nip: string | null;
  invoice_type: string | null;
  issue_date: string | null;
  acquisition_date: Date | null;
  invoicing_date: Date;
  permanent_storage_date: Date | null;
  invoicing_mode: 'Online' | 'Offline';
  offline_mode: boolean;
  hash_of_corrected: string | null;
  form_code: { systemCode: string; schemaVersion: string; value: string };
  metadata: Record<string, unknown> | null;
}

export type NewInvoice = Pick<
  InvoiceRow,
  'reference_number' | 'session_reference' | 'ordinal' | 'invoice_hash' | 'invoice_size' | 'invoice_file_name' | 'content' | 'invoicing_date' | 'offline_mode' | 'hash_of_corrected' | 'form_code'
>;

export interface InvoiceOutcome {
  referenceNumber: string;
  status: Status & { extensions?: Record<string, unknown> };
  ksefNumber?: string;
  invoiceNumber?: string;
  sellerNip?: string;
  invoiceType?: string;
  issueDate?: string;
  acquisitionDate?: Date;
  permanentStorageDate?: Date;
  invoicingMode: 'Online' | 'Offline';
  metadata?: Record<string, unknown>;
}

/**
 * INSERTs in flight at once. One: rows arriving while it commits go together in the next (bigger) one. Each INSERT is
 * a commit (WAL flush) and a round trip; with 4 in flight the batches were ~6 rows and the bench took 830-890
 * submissions/s, with 1 they were ~12-30 rows and it took 1,140-1,470/s (back to back, same machine load).
 */
const MAX_CONCURRENT_FLUSHES = 1;

const LIST_COLUMNS = `reference_number, session_reference, ordinal, invoice_hash, invoice_size, invoice_file_name, status_code, status_description,
  status_details, status_extensions, ksef_number, invoice_number, seller_nip, invoice_type, to_char(issue_date, 'YYYY-MM-DD') AS issue_date,
  acquisition_date, invoicing_date, permanent_storage_date, invoicing_mode, offline_mode, hash_of_corrected, form_code, metadata`;

/**
 * Invoices in sessions. Inserts are group-committed: concurrent submissions are written by one multi-row INSERT
 * (the HTTP answer still waits for it), which is what lets one simulator take thousands of invoices per second.
 */
@Injectable()
export class InvoiceRepository {
  private pending: { row: NewInvoice; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = 0;

  constructor(private readonly db: DataSource) {}

  insert(row: NewInvoice): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.flushing < MAX_CONCURRENT_FLUSHES) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending.splice(0, 500);
    this.flushing++;
    try {
      const values: unknown[] = [];
      const tuples = batch.map(({ row }, i) => {
        values.push(
          row.reference_number,
          row.session_reference,
          row.ordinal,
          row.invoice_hash,
          row.invoice_size,
          row.invoice_file_name,
          row.content,
          row.invoicing_date,
          row.offline_mode,
          row.hash_of_corrected,
          JSON.stringify(row.form_code),
        );
        const b = i * 11;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, 100, 'Faktura przyjęta do dalszego przetwarzania', $${b + 8}, 'Online', $${b + 9}, $${b + 10}, $${b + 11}::jsonb)`;
      });
      await this.db.query(
        `INSERT INTO ksef_simulator.invoices (reference_number, session_reference, ordinal, invoice_hash, invoice_size, invoice_file_name, content,
           status_code, status_description, invoicing_date, invoicing_mode, offline_mode, hash_of_corrected, form_code) VALUES ${tuples.join(', ')}`,
        values,
      );
      for (const item of batch) item.resolve();
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      this.flushing--;
      if (this.pending.length) void this.flush();
    }
  }

  async find(sessionReference: string, referenceNumber: string): Promise<InvoiceRow | undefined> {
    const rows = (await this.db.query(`SELECT ${LIST_COLUMNS} FROM ksef_simulator.invoices WHERE reference_number = $1 AND session_reference = $2`, [
      referenceNumber,
      sessionReference,
    ])) as InvoiceRow[];
    return rows[0];
  }

  async findByKsefNumber(ksefNumber: string, withContent = false): Promise<InvoiceRow | undefined> {
    const rows = (await this.db.query(`SELECT ${LIST_COLUMNS}${withContent ? ', content' : ''} FROM ksef_simulator.invoices WHERE ksef_number = $1`, [ksefNumber])) as InvoiceRow[];
    return rows[0];
  }

  async findByHash(sessionContext: { contextType: string; contextValue: string }, invoiceHash: string): Promise<InvoiceRow[]> {
    return (await this.db.query(
      `SELECT ${LIST_COLUMNS} FROM ksef_simulator.invoices WHERE invoice_hash = $1 AND session_reference IN
         (SELECT reference_number FROM ksef_simulator.sessions WHERE context_type = $2 AND context_value = $3)`,
      [invoiceHash, sessionContext.contextType, sessionContext.contextValue],
    )) as InvoiceRow[];
  }

  async corrections(hashOfCorrected: string): Promise<InvoiceRow[]> {
    return (await this.db.query(`SELECT ${LIST_COLUMNS} FROM ksef_simulator.invoices WHERE hash_of_corrected = $1`, [hashOfCorrected])) as InvoiceRow[];
  }

  async list(sessionReference: string, onlyFailed: boolean, offset: number, limit: number): Promise<InvoiceRow[]> {
    return (await this.db.query(
      `SELECT ${LIST_COLUMNS} FROM ksef_simulator.invoices WHERE session_reference = $1 ${onlyFailed ? 'AND status_code >= 400' : ''}
       ORDER BY ordinal LIMIT $2 OFFSET $3`,
      [sessionReference, limit, offset],
    )) as InvoiceRow[];
  }

  async accepted(sessionReference: string, offset: number, limit: number): Promise<InvoiceRow[]> {
    return (await this.db.query(
      `SELECT ${LIST_COLUMNS} FROM ksef_simulator.invoices WHERE session_reference = $1 AND status_code = 200 ORDER BY ordinal LIMIT $2 OFFSET $3`,
      [sessionReference, limit, offset],
    )) as InvoiceRow[];
  }

  /** Invoices still in processing (after a restart they are queued again). */
  async pendingForProcessing(limit: number): Promise<{ reference_number: string; session_reference: string }[]> {
    return (await this.db.query('SELECT reference_number, session_reference FROM ksef_simulator.invoices WHERE status_code IN (100, 150) ORDER BY invoicing_date LIMIT $1', [
      limit,
    ])) as { reference_number: string; session_reference: string }[];
  }

  async loadForProcessing(referenceNumbers: string[]): Promise<InvoiceRow[]> {
    return (await this.db.query(`SELECT ${LIST_COLUMNS}, content FROM ksef_simulator.invoices WHERE reference_number = ANY($1::text[]) AND status_code IN (100, 150)`, [
      referenceNumbers,
    ])) as InvoiceRow[];
  }

  /**
   * Claims KSeF's duplicate keys (seller NIP, invoice kind, number) for accepted candidates in one statement.
   * Returns the keys that already belonged to another invoice, with the original's KSeF number and session.
   */
  async claimDuplicateKeys(
    candidates: { sellerNip: string; invoiceType: string; invoiceNumber: string; ksefNumber: string; sessionReference: string; invoiceReference: string }[],
  ): Promise<Map<string, { ksefNumber: string; sessionReference: string }>> {
    const clashes = new Map<string, { ksefNumber: string; sessionReference: string }>();
    if (!candidates.length) return clashes;
    const inserted = (await this.db.query(
      `INSERT INTO ksef_simulator.duplicate_keys (seller_nip, invoice_type, invoice_number, ksef_number, session_reference, invoice_reference)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) ON CONFLICT DO NOTHING RETURNING invoice_reference`,
      [
        candidates.map((c) => c.sellerNip),
        candidates.map((c) => c.invoiceType),
        candidates.map((c) => c.invoiceNumber),
        candidates.map((c) => c.ksefNumber),
        candidates.map((c) => c.sessionReference),
        candidates.map((c) => c.invoiceReference),
      ],
    )) as { invoice_reference: string }[];
    const won = new Set(inserted.map((r) => r.invoice_reference));
    const lost = candidates.filter((c) => !won.has(c.invoiceReference));
    if (!lost.length) return clashes;
    const originals = (await this.db.query(
      `SELECT d.seller_nip, d.invoice_type, d.invoice_number, d.ksef_number, d.session_reference FROM ksef_simulator.duplicate_keys d
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(seller_nip, invoice_type, invoice_number)
         ON d.seller_nip = k.seller_nip AND d.invoice_type = k.invoice_type AND d.invoice_number = k.invoice_number`,
      [lost.map((c) => c.sellerNip), lost.map((c) => c.invoiceType), lost.map((c) => c.invoiceNumber)],
    )) as { seller_nip: string; invoice_type: string; invoice_number: string; ksef_number: string; session_reference: string }[];
    const byKey = new Map(originals.map((o) => [`${o.seller_nip}|${o.invoice_type}|${o.invoice_number}`, o]));
    for (const c of lost) {
      const o = byKey.get(`${c.sellerNip}|${c.invoiceType}|${c.invoiceNumber}`);
      if (o) clashes.set(c.invoiceReference, { ksefNumber: o.ksef_number, sessionReference: o.session_reference });
    }
    return clashes;
  }

  /** Writes final outcomes of a processed batch in one statement. */
  async saveOutcomes(outcomes: InvoiceOutcome[]): Promise<void> {
    if (!outcomes.length) return;
    await this.db.query(
      `UPDATE ksef_simulator.invoices i SET status_code = u.code, status_description = u.description, status_details = u.details::jsonb,
         status_extensions = u.extensions::jsonb, ksef_number = u.ksef_number, invoice_number = u.invoice_number, seller_nip = u.seller_nip,
         invoice_type = u.invoice_type, issue_date = u.issue_date::date, acquisition_date = u.acquisition_date::timestamptz,
         permanent_storage_date = u.permanent_storage_date::timestamptz, invoicing_mode = u.invoicing_mode, metadata = u.metadata::jsonb
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS u(reference_number, code, description, details, extensions, ksef_number, invoice_number, seller_nip, invoice_type, issue_date,
              acquisition_date, permanent_storage_date, invoicing_mode, metadata)
       WHERE i.reference_number = u.reference_number`,
      [
        outcomes.map((o) => o.referenceNumber),
        outcomes.map((o) => o.status.code),
        outcomes.map((o) => o.status.description),
        outcomes.map((o) => (o.status.details ? JSON.stringify(o.status.details) : null)),
        outcomes.map((o) => (o.status.extensions ? JSON.stringify(o.status.extensions) : null)),
        outcomes.map((o) => o.ksefNumber ?? null),
        outcomes.map((o) => o.invoiceNumber ?? null),
        outcomes.map((o) => o.sellerNip ?? null),
        outcomes.map((o) => o.invoiceType ?? null),
        outcomes.map((o) => o.issueDate ?? null),
        outcomes.map((o) => o.acquisitionDate?.toISOString() ?? null),
        outcomes.map((o) => o.permanentStorageDate?.toISOString() ?? null),
        outcomes.map((o) => o.invoicingMode),
        outcomes.map((o) => (o.metadata ? JSON.stringify(o.metadata) : null)),
      ],
    );
  }
}
