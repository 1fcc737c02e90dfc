import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Uploaded (still encrypted) batch parts and the batch metadata of a session. */
@Injectable()
export class BatchRepository {
  constructor(private readonly db: DataSource) {}

  async savePart(sessionReference: string, ordinal: number, data: Buffer, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.batch_parts (session_reference, ordinal, data, uploaded_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_reference, ordinal) DO UPDATE SET data = EXCLUDED.data, uploaded_at = EXCLUDED.uploaded_at`,
      [sessionReference, ordinal, data, at],
    );
  }

  async uploadedOrdinals(sessionReference: string): Promise<number[]> {
    const rows = (await this.db.query('SELECT ordinal FROM ksef_simulator.batch_parts WHERE session_reference = $1', [sessionReference])) as { ordinal: number }[];
    return rows.map((r) => r.ordinal);
  }

  async parts(sessionReference: string): Promise<{ ordinal: number; data: Buffer }[]> {
    return (await this.db.query('SELECT ordinal, data FROM ksef_simulator.batch_parts WHERE session_reference = $1 ORDER BY ordinal', [sessionReference])) as {
      ordinal: number;
      data: Buffer;
    }[];
  }

  async deleteParts(sessionReference: string): Promise<void> {
    await this.db.query('DELETE FROM ksef_simulator.batch_parts WHERE session_reference = $1', [sessionReference]);
  }

  async setBatch(sessionReference: string, batch: unknown): Promise<void> {
    await this.db.query('UPDATE ksef_simulator.sessions SET batch = $2::jsonb WHERE reference_number = $1', [sessionReference, JSON.stringify(batch)]);
  }
}
