import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Latarnia KSeF announcements: every published version of every event (failure, total failure, maintenance). */
export class Latarnia1764090000000 implements MigrationInterface {
  name = 'Latarnia1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE SEQUENCE ksef_simulator.latarnia_event_seq');
    await q.query(`CREATE TABLE ksef_simulator.latarnia_messages (
      id text PRIMARY KEY, event_id int NOT NULL, version int NOT NULL, category text NOT NULL, type text NOT NULL,
      title text NOT NULL, text text NOT NULL, start_at timestamptz NOT NULL, end_at timestamptz, published_at timestamptz NOT NULL,
      UNIQUE (event_id, version))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ksef_simulator.latarnia_messages');
    await q.query('DROP SEQUENCE ksef_simulator.latarnia_event_seq');
  }
}
