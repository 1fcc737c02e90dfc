import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { InvoiceRow } from './invoice.repository';

export interface MetadataQuery {
  role: 'seller' | 'buyer';
  nip: string;
  dateColumn: 'issue_date' | 'invoicing_date' | 'permanent_storage_date';
  from: Date;
  to?: Date;
  ksefNumber?: string;
  invoiceNumber?: string;
  sellerNip?: string;
  invoicingMode?: string;
  invoiceTypes?: string[];
  descending: boolean;
  offset: number;
  limit: number;
  withContent?: boolean;
}

/** Read model of accepted invoices for `POST /invoices/query/metadata` and `GET /invoices/ksef/{ksefNumber}`. */
@Injectable()
export class InvoiceQueryRepository {
  constructor(private readonly db: DataSource) {}

  async query(q: MetadataQuery): Promise<InvoiceRow[]> {
    const params: unknown[] = [q.nip, q.from];
    const where = ['ksef_number IS NOT NULL', q.role === 'seller' ? 'seller_nip = $1' : "metadata->>'buyerNip' = $1", `${q.dateColumn} >= $2`];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.to) add(`${q.dateColumn} <= ?`, q.to);
    if (q.ksefNumber) add('ksef_number = ?', q.ksefNumber);
    if (q.invoiceNumber) add('invoice_number = ?', q.invoiceNumber);
    if (q.sellerNip) add('seller_nip = ?', q.sellerNip);
    if (q.invoicingMode) add('invoicing_mode = ?', q.invoicingMode);
    if (q.invoiceTypes?.length) add('invoice_type = ANY(?::text[])', q.invoiceTypes);
    params.push(q.limit, q.offset);
    return (await this.db.query(
      `SELECT reference_number, session_reference, ordinal, invoice_hash, invoice_size, ksef_number, invoice_number, seller_nip, invoice_type,
              to_char(issue_date, 'YYYY-MM-DD') AS issue_date, acquisition_date, invoicing_date, permanent_storage_date, invoicing_mode,
              hash_of_corrected, form_code, metadata${q.withContent ? ', content' : ''}
       FROM ksef_simulator.invoices WHERE ${where.join(' AND ')}
       ORDER BY ${q.dateColumn} ${q.descending ? 'DESC' : 'ASC'}, ksef_number LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    )) as InvoiceRow[];
  }

  async latestStorageDate(): Promise<Date | undefined> {
    const rows = (await this.db.query('SELECT max(permanent_storage_date) AS hwm FROM ksef_simulator.invoices')) as { hwm: Date | null }[];
    return rows[0]?.hwm ?? undefined;
  }
}
