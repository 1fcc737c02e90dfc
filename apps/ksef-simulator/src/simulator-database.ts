import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '@ksef-bridge/config';
import type { Logger } from '@ksef-bridge/observability';
import { createDataSource, pingDatabase, runMigrations } from '@ksef-bridge/persistence';
import { HealthRegistry, LOGGER } from '@ksef-bridge/service-kit';
import { DB_SCHEMA } from './config/simulator.config';
import { SimulatorInitial1764060000000 } from './infrastructure/migrations/1764060000000-simulator-initial';
import { AuthIpPolicy1764070000000 } from './infrastructure/migrations/1764070000000-auth-ip-policy';
import { InvoiceExports1764080000000 } from './infrastructure/migrations/1764080000000-invoice-exports';
import { Latarnia1764090000000 } from './infrastructure/migrations/1764090000000-latarnia';

/** The simulator keeps its state in its own PostgreSQL schema (`ksef_simulator`), changed only by migrations. */
export function simulatorDataSource(db: DatabaseConfig, applicationName = 'ksef-simulator'): DataSource {
  return createDataSource({ db, schema: DB_SCHEMA, migrations: [SimulatorInitial1764060000000, AuthIpPolicy1764070000000, InvoiceExports1764080000000, Latarnia1764090000000], applicationName });
}

/** Runs migrations before anything else touches the database (providers depending on it are created after). */
export async function initializeSimulatorDatabase(db: DatabaseConfig): Promise<DataSource> {
  const ds = await simulatorDataSource(db).initialize();
  await runMigrations(ds, DB_SCHEMA);
  return ds;
}

@Injectable()
export class SimulatorDatabase implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.logger.debug('simulator database ready');
    this.health.register('postgres', (timeoutMs) => pingDatabase(this.dataSource, timeoutMs));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
