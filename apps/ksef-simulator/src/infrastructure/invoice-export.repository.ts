import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Status } from '../domain/statuses';

export interface InvoiceExportRow {
  reference_number: string;
  context_type: string;
  context_value: string;
  status_code: number;
  status_description: string;
  created_at: Date;
  completed_at: Date | null;
  package: Record<string, unknown> | null;
}

/** Invoice exports and their encrypted package parts. */
@Injectable()
export class InvoiceExportRepository {
  constructor(private readonly db: DataSource) {}

  async create(row: Pick<InvoiceExportRow, 'reference_number' | 'context_type' | 'context_value' | 'created_at'>, status: Status): Promise<void> {
    await this.db.query(
      'INSERT INTO ksef_simulator.invoice_exports (reference_number, context_type, context_value, status_code, status_description, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.reference_number, row.context_type, row.context_value, status.code, status.description, row.created_at],
    );
  }

  async find(referenceNumber: string): Promise<InvoiceExportRow | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.invoice_exports WHERE reference_number = $1', [referenceNumber])) as InvoiceExportRow[];
    return rows[0];
  }

  async running(contextType: string, contextValue: string): Promise<number> {
    const rows = (await this.db.query('SELECT count(*)::int AS n FROM ksef_simulator.invoice_exports WHERE context_type = $1 AND context_value = $2 AND status_code = 100', [
      contextType,
      contextValue,
    ])) as { n: number }[];
    return rows[0].n;
  }

  async complete(referenceNumber: string, status: Status, at: Date, pkg: Record<string, unknown> | null, parts: Buffer[]): Promise<void> {
    await this.db.transaction(async (m) => {
      for (const [i, data] of parts.entries()) {
        await m.query('INSERT INTO ksef_simulator.invoice_export_parts (export_reference, ordinal, data) VALUES ($1, $2, $3)', [referenceNumber, i + 1, data]);
      }
      await m.query('UPDATE ksef_simulator.invoice_exports SET status_code = $2, status_description = $3, completed_at = $4, package = $5::jsonb WHERE reference_number = $1', [
        referenceNumber,
        status.code,
        status.description,
        at,
        pkg ? JSON.stringify(pkg) : null,
      ]);
    });
  }

  async part(referenceNumber: string, ordinal: number): Promise<Buffer | undefined> {
    const rows = (await this.db.query('SELECT data FROM ksef_simulator.invoice_export_parts WHERE export_reference = $1 AND ordinal = $2', [referenceNumber, ordinal])) as {
      data: Buffer;
    }[];
    return rows[0]?.data;
  }
}
