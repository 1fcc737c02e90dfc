// TypeORM data source and migrations.
// Curated public API: import only from '@ksef-bridge/persistence'.
export {};
