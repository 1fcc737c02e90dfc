import type { MigrationInterface } from 'typeorm';
import { invoiceIntakeMigration } from './1764100000000-invoice-intake.migration';
import { sendOutcomeTransitionsMigration } from './1764300000000-send-outcome-transitions.migration';
import { ksefVerdictsMigration } from './1764400000000-ksef-verdicts.migration';
import { offlineInvoicesMigration } from './1764500000000-offline-invoices.migration';
import { lateVerdictsMigration } from './1765000000000-late-verdicts.migration';

/** Intake's migrations in order (never edited once shipped; a change is a new migration). */
export function intakeMigrations(schema: string): Array<new () => MigrationInterface> {
  return [...invoiceIntakeMigration(schema), sendOutcomeTransitionsMigration(schema), ksefVerdictsMigration(schema), offlineInvoicesMigration(schema), lateVerdictsMigration(schema)];
}
