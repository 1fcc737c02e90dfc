import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SimulatorDatabase, simulatorDataSource } from './simulator-database';

/**
 * The KSeF 2.0 simulator. This is its platform shell (PostgreSQL state, health, metrics, graceful shutdown);
 * the KSeF endpoints (issue #3) are not implemented yet.
 */
@Module({
  providers: [{ provide: DataSource, useFactory: () => simulatorDataSource().initialize() }, SimulatorDatabase],
})
export class KsefSimulatorModule {}
