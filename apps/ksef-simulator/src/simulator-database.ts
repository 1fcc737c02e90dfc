import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseConfig } from '@ksef-bridge/config';
import type { Logger } from '@ksef-bridge/observability';
import { createDataSource, pingDatabase, runMigrations } from '@ksef-bridge/persistence';
import { HealthRegistry, LOGGER } from '@ksef-bridge/service-kit';
import { config, DB_SCHEMA } from './config/simulator.config';

/** The simulator keeps its state in its own PostgreSQL schema; it needs no Kafka. */
export function simulatorDataSource(): DataSource {
  return createDataSource({ db: databaseConfig(config), schema: DB_SCHEMA, migrations: [], applicationName: config.SERVICE_NAME });
}

@Injectable()
export class SimulatorDatabase implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const ran = await runMigrations(this.dataSource, DB_SCHEMA);
    if (ran.length) this.logger.info({ migrations: ran }, 'migrations applied');
    this.health.register('postgres', (timeoutMs) => pingDatabase(this.dataSource, timeoutMs));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
