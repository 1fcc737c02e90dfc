import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Authentication operations remember their `authorizationPolicy.allowedIps`, enforced on every token use. */
export class AuthIpPolicy1764070000000 implements MigrationInterface {
  name = 'AuthIpPolicy1764070000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ksef_simulator.auth_operations ADD COLUMN allowed_ips jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ksef_simulator.auth_operations DROP COLUMN allowed_ips');
  }
}
