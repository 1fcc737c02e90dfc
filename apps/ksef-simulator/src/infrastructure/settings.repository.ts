import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Key/value settings that must survive restarts (JWT secret, keys, rate-limit overrides, session limits). */
@Injectable()
export class SettingsRepository {
  constructor(private readonly db: DataSource) {}

  async get<T>(key: string): Promise<T | undefined> {
    const rows = (await this.db.query('SELECT value FROM ksef_simulator.sim_settings WHERE key = $1', [key])) as { value: T }[];
    return rows[0]?.value;
  }

  async byPrefix<T>(prefix: string): Promise<{ key: string; value: T }[]> {
    return (await this.db.query("SELECT key, value FROM ksef_simulator.sim_settings WHERE starts_with(key, $1)", [prefix])) as { key: string; value: T }[];
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO ksef_simulator.sim_settings (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  }

  async delete(key: string): Promise<void> {
    await this.db.query('DELETE FROM ksef_simulator.sim_settings WHERE key = $1', [key]);
  }

  /** Insert-once (first writer wins across replicas); returns the stored value. */
  async getOrCreate<T>(key: string, create: () => T): Promise<T> {
    await this.db.query('INSERT INTO ksef_simulator.sim_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(create())]);
    return (await this.get<T>(key)) as T;
  }
}
