import type { DataSource } from 'typeorm';
import { returnedRows } from '../infrastructure/returned-rows';

export interface PanelSendJob {
  invoiceId: string;
  tenantId: string;
  contextNip: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date;
  lastErrorCode: string | null;
  sessionReferenceNumber: string | null;
  invoiceReferenceNumber: string | null;
}

export interface PanelAttempt {
  attempt: number;
  counted: boolean;
  startedAt: Date;
  finishedAt: Date;
  outcome: string;
  sessionReferenceNumber: string | null;
  invoiceReferenceNumber: string | null;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  exceptionCodes: number[] | null;
  errorBody: unknown;
}

export interface PanelContext {
  nip: string;
  tenantId: string;
  enabled: boolean;
  waiting: number;
  escalated: number;
  oldestWaitingAgeSeconds: number;
  sendsLastMinute: number;
  sendsLastHour: number;
}

/**
 * Attempt outcomes that are an interactive invoice send (a POST KSeF counts in `invoiceSend`); `not-found` and
 * `reconciled` are look-ups, and batch packages (reference_numbers.mode = batch) count in other groups.
 */
const SEND_OUTCOMES = `('submitted', 'ambiguous', 'transport', 'rate-limited', 'rejected')`;

/** The panel's reads and its one command over the sender's own tables (send_jobs, send_attempts, ksef_contexts). */
export class PanelSendJobs {
  private readonly s: string;
  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  async job(db: DataSource, invoiceId: string, tenant: string | undefined): Promise<PanelSendJob | undefined> {
    const rows: PanelSendJob[] = await db.query(
      `SELECT invoice_id AS "invoiceId", tenant_id AS "tenantId", context_nip AS "contextNip", state, attempts, next_attempt_at AS "nextAttemptAt",
         last_error_code AS "lastErrorCode", session_reference_number AS "sessionReferenceNumber", invoice_reference_number AS "invoiceReferenceNumber"
       FROM ${this.s}.send_jobs WHERE invoice_id = $1 AND ($2::text IS NULL OR tenant_id = $2)`,
      [invoiceId, tenant ?? null],
    );
    return rows[0];
  }

  attempts(db: DataSource, invoiceId: string): Promise<PanelAttempt[]> {
    return db.query(
      `SELECT attempt, counted, started_at AS "startedAt", finished_at AS "finishedAt", outcome, session_reference_number AS "sessionReferenceNumber",
         invoice_reference_number AS "invoiceReferenceNumber", http_status AS "httpStatus", error_code AS "errorCode", error_message AS "errorMessage",
         exception_codes AS "exceptionCodes", error_body AS "errorBody"
       FROM ${this.s}.send_attempts WHERE invoice_id = $1 ORDER BY id`,
      [invoiceId],
    );
  }

  contexts(db: DataSource, tenant: string | undefined): Promise<PanelContext[]> {
    return db.query(
      `SELECT c.nip, c.tenant_id AS "tenantId", c.enabled,
         count(j.invoice_id) FILTER (WHERE j.state IN ('QUEUED', 'SENDING'))::int AS waiting,
         count(j.invoice_id) FILTER (WHERE j.state = 'ESCALATED')::int AS escalated,
         COALESCE(EXTRACT(EPOCH FROM now() - min(j.created_at) FILTER (WHERE j.state IN ('QUEUED', 'SENDING'))), 0)::int AS "oldestWaitingAgeSeconds",
         (SELECT count(*) FILTER (WHERE a.started_at > now() - interval '1 minute') FROM ${this.s}.send_attempts a JOIN ${this.s}.send_jobs sj ON sj.invoice_id = a.invoice_id
           WHERE sj.context_nip = c.nip AND a.started_at > now() - interval '1 hour' AND a.outcome IN ${SEND_OUTCOMES} AND COALESCE(a.reference_numbers->>'mode', 'online') <> 'batch')::int AS "sendsLastMinute",
         (SELECT count(*) FROM ${this.s}.send_attempts a JOIN ${this.s}.send_jobs sj ON sj.invoice_id = a.invoice_id
           WHERE sj.context_nip = c.nip AND a.started_at > now() - interval '1 hour' AND a.outcome IN ${SEND_OUTCOMES} AND COALESCE(a.reference_numbers->>'mode', 'online') <> 'batch')::int AS "sendsLastHour"
       FROM ${this.s}.ksef_contexts c LEFT JOIN ${this.s}.send_jobs j ON j.context_nip = c.nip
       WHERE ($1::text IS NULL OR c.tenant_id = $1) GROUP BY c.nip ORDER BY c.nip`,
      [tenant ?? null],
    );
  }

  /**
   * ESCALATED → QUEUED with a fresh attempt budget, due now (the trigger checks the transition). Returns the state
   * after the call; a job already QUEUED, SENDING or SENT is left alone (a repeated re-queue changes nothing).
   */
  async requeue(db: DataSource, invoiceId: string, tenant: string | undefined): Promise<{ state: string; changed: boolean } | undefined> {
    const updated = returnedRows<{ state: string }>(
      await db.query(
      `UPDATE ${this.s}.send_jobs SET state = 'QUEUED', attempts = 0, next_attempt_at = clock_timestamp(), lease_until = NULL, updated_at = clock_timestamp()
       WHERE invoice_id = $1 AND state = 'ESCALATED' AND ($2::text IS NULL OR tenant_id = $2) RETURNING state`,
        [invoiceId, tenant ?? null],
      ),
    );
    if (updated.length) return { state: 'QUEUED', changed: true };
    const job = await this.job(db, invoiceId, tenant);
    return job ? { state: job.state, changed: false } : undefined;
  }
}
