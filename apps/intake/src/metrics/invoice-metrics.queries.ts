import type { EntityManager } from 'typeorm';
import { INVOICE_STATES, isFinalState } from '@ksef-bridge/invoice-domain';

/** States an invoice waits in (not final): it still needs something from us, KSeF or a person. */
export const WAITING_STATES: readonly string[] = INVOICE_STATES.filter((s) => !isFinalState(s));

/** An ACCEPTED invoice gets its UPO within minutes; only one without it for this long counts as missing. */
export const UPO_GRACE_SECONDS = 3_600;

/** Invoices waiting longer than this count in `ksef_invoices_waiting_over_1h`. */
export const QUEUE_AGE_SECONDS = 3_600;

export interface InvoiceCountRow {
  tenant: string;
  state: string;
  invoices: number;
  waitingOver1h: number;
  unconfirmedPastDeadline: number;
  acceptedMissingUpo: number;
  /** Seconds since the oldest invoice in this (tenant, state) was received; null for final states. */
  oldestWaitingAgeSeconds: number | null;
}

export interface TransitionCountRow {
  tenant: string;
  state: string;
  code: string;
  transitions: number;
}

/** What the intake gauges show at one scrape. */
export interface InvoiceMetricsSnapshot {
  tenants: string[];
  counts: InvoiceCountRow[];
  transitions: TransitionCountRow[];
}

/**
 * Reads the snapshot from intake's own tables in three statements: tenants (so every tenant shows, at 0 too),
 * invoices grouped by tenant and state with the regulatory filters, and the append-only history grouped by target
 * state and error code (monotonic, so it feeds counters). `deadlineSeconds`: INTAKE_CONFIRMATION_DEADLINE_SECONDS.
 */
export async function readInvoiceMetrics(manager: EntityManager, schema: string, deadlineSeconds: number): Promise<InvoiceMetricsSnapshot> {
  const s = `"${schema}"`;
  const tenants: Array<{ id: string }> = await manager.query(`SELECT id FROM ${s}.tenants ORDER BY id`);
  const counts: InvoiceCountRow[] = await manager.query(
    `SELECT i.tenant_id AS tenant, i.state,
        count(*)::int AS invoices,
        count(*) FILTER (WHERE i.state = ANY($1) AND i.created_at < now() - make_interval(secs => $4))::int AS "waitingOver1h",
        count(*) FILTER (WHERE i.state = ANY($1) AND i.ksef_number IS NULL AND i.created_at < now() - make_interval(secs => $2))::int AS "unconfirmedPastDeadline",
        count(*) FILTER (WHERE i.state = 'ACCEPTED' AND i.updated_at < now() - make_interval(secs => $3)
          AND NOT EXISTS (SELECT 1 FROM ${s}.invoice_upos u WHERE u.invoice_id = i.id))::int AS "acceptedMissingUpo",
        extract(epoch FROM now() - min(i.created_at) FILTER (WHERE i.state = ANY($1)))::float8 AS "oldestWaitingAgeSeconds"
      FROM ${s}.invoices i
      GROUP BY i.tenant_id, i.state`,
    [WAITING_STATES, deadlineSeconds, UPO_GRACE_SECONDS, QUEUE_AGE_SECONDS],
  );
  const transitions: TransitionCountRow[] = await manager.query(
    `SELECT i.tenant_id AS tenant, h.to_state AS state, coalesce(h.error_code, '') AS code, count(*)::int AS transitions
      FROM ${s}.invoice_history h JOIN ${s}.invoices i ON i.id = h.invoice_id
      GROUP BY i.tenant_id, h.to_state, coalesce(h.error_code, '')`,
  );
  return { tenants: tenants.map((t) => t.id), counts, transitions };
}
