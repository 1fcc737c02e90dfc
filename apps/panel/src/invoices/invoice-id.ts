import { PanelHttpError } from '../http/panel-error.filter';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An invoice id from the path. Invoice ids are UUIDs: anything else cannot exist, so it is answered like a missing
 * invoice at once, before it reaches intake, the sender or the panel's own uuid columns (PostgreSQL's "invalid input
 * syntax for type uuid" was a 500 for the audit query).
 */
export function invoiceId(id: string): string {
  if (!UUID.test(id)) throw new PanelHttpError(404, 'INVOICE_NOT_FOUND', 'No such invoice');
  return id.toLowerCase();
}
