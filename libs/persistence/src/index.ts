// TypeORM data source, migrations under an advisory lock, transactions mapped into the error taxonomy.
export { createDataSource, runMigrations, withTransaction, mapDatabaseError, pingDatabase } from './lib/data-source';
export type { DataSourceOptions } from './lib/data-source';
