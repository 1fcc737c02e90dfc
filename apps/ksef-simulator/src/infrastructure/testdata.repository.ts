import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** TE test data: subjects, persons and blocked contexts (attachment and permission grants live in sim_settings). */
@Injectable()
export class TestdataRepository {
  constructor(private readonly db: DataSource) {}

  async upsertSubject(nip: string, subjectType: string, description: string, data: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.subjects (nip, subject_type, description, data) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (nip) DO UPDATE SET subject_type = EXCLUDED.subject_type, description = EXCLUDED.description, data = EXCLUDED.data`,
      [nip, subjectType, description, JSON.stringify(data)],
    );
  }

  async removeSubject(nip: string): Promise<void> {
    await this.db.query('DELETE FROM ksef_simulator.subjects WHERE nip = $1', [nip]);
  }

  async upsertPerson(nip: string, pesel: string, data: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.persons (nip, pesel, data) VALUES ($1, $2, $3::jsonb) ON CONFLICT (nip) DO UPDATE SET pesel = EXCLUDED.pesel, data = EXCLUDED.data`,
      [nip, pesel, JSON.stringify(data)],
    );
  }

  async removePerson(nip: string): Promise<void> {
    await this.db.query('DELETE FROM ksef_simulator.persons WHERE nip = $1', [nip]);
  }

  async setBlocked(type: string, value: string, blocked: boolean): Promise<void> {
    if (blocked) {
      await this.db.query('INSERT INTO ksef_simulator.blocked_contexts (context_type, context_value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [type, value]);
    } else {
      await this.db.query('DELETE FROM ksef_simulator.blocked_contexts WHERE context_type = $1 AND context_value = $2', [type, value]);
    }
  }

  async isBlocked(type: string, value: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM ksef_simulator.blocked_contexts WHERE context_type = $1 AND context_value = $2', [type, value])) as unknown[];
    return rows.length > 0;
  }
}
