import type { EntityManager } from 'typeorm';
import type { AttemptOutcome, SendJobState } from '../domain/send-job';
import { returnedRows } from '../infrastructure/returned-rows';

export interface SendJob {
  invoiceId: string;
  tenantId: string;
  erpDocumentId: string;
  contextNip: string;
  form: 'FA(2)' | 'FA(3)';
  documentSha256: string;
  documentSize: number;
  state: SendJobState;
  /** Counted attempts so far. */
  attempts: number;
  /** Base64 SHA-256 of the plain invoice (KSeF's `invoiceHash`). */
  invoiceHash: string;
  /** Set while a send may be in flight; found on a job whose lease ran out, it means the process stopped mid-send. */
  inflightSessionRef: string | null;
  needsReconcile: boolean;
  traceparent: string | null;
  createdAt: Date;
}

export interface NewSendJob {
  invoiceId: string;
  tenantId: string;
  erpDocumentId: string;
  contextNip: string;
  form: 'FA(2)' | 'FA(3)';
  documentSha256: string;
  documentSize: number;
  traceparent?: string;
}

/** One row of the append-only attempt record. */
export interface AttemptRecord {
  invoiceId: string;
  attempt: number;
  counted: boolean;
  startedAt: Date;
  outcome: AttemptOutcome;
  sessionReferenceNumber?: string;
  invoiceReferenceNumber?: string;
  invoiceHash?: string;
  httpStatus?: number;
  errorCode?: string;
  errorMessage?: string;
  exceptionCodes?: number[];
  referenceNumbers?: Record<string, string>;
  /** The full body KSeF answered (JSON or text), kept for diagnosis. */
  errorBody?: unknown;
}

interface Row {
  invoice_id: string;
  tenant_id: string;
  erp_document_id: string;
  context_nip: string;
  form: 'FA(2)' | 'FA(3)';
  document_sha256: string;
  document_size: number;
  state: SendJobState;
  attempts: number;
  invoice_hash: string;
  inflight_session_ref: string | null;
  needs_reconcile: boolean;
  traceparent: string | null;
  created_at: Date;
}

const toJob = (r: Row): SendJob => ({
  invoiceId: r.invoice_id,
  tenantId: r.tenant_id,
  erpDocumentId: r.erp_document_id,
  contextNip: r.context_nip,
  form: r.form,
  documentSha256: r.document_sha256,
  documentSize: r.document_size,
  state: r.state,
  attempts: r.attempts,
  invoiceHash: r.invoice_hash,
  inflightSessionRef: r.inflight_session_ref,
  needsReconcile: r.needs_reconcile,
  traceparent: r.traceparent,
  createdAt: r.created_at,
});

/** KSeF's invoiceHash (Base64 SHA-256) of a document whose hex SHA-256 the claim check carries. */
export const invoiceHashOf = (sha256Hex: string): string => Buffer.from(sha256Hex, 'hex').toString('base64');

/** Send jobs and their attempts. Every state change goes through here, inside the caller's transaction. */
export class SendJobRepository {
  readonly jobs: string;
  private readonly attemptsTable: string;

  constructor(schema: string) {
    this.jobs = `"${schema}".send_jobs`;
    this.attemptsTable = `"${schema}".send_attempts`;
  }

  /** Creates the job of an invoice (QUEUED, due now). False when it already exists: the invoice is sent once. */
  async enqueue(manager: EntityManager, job: NewSendJob): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.jobs} (invoice_id, tenant_id, erp_document_id, context_nip, form, document_sha256, document_size, invoice_hash, traceparent, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'QUEUED') ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`,
      [job.invoiceId, job.tenantId, job.erpDocumentId, job.contextNip, job.form, job.documentSha256, job.documentSize, invoiceHashOf(job.documentSha256), job.traceparent ?? null],
    );
    return rows.length === 1;
  }

  /**
   * Claims up to `limit` due jobs of a context (QUEUED and due, or SENDING whose lease ran out) with
   * `FOR UPDATE SKIP LOCKED`, moving them to SENDING under a lease of `leaseMs`. Oldest first.
   */
  async claimDue(manager: EntityManager, contextNip: string, limit: number, leaseMs: number): Promise<SendJob[]> {
    const rows = returnedRows<Row>(await manager.query(
      `UPDATE ${this.jobs} j SET state = 'SENDING', lease_until = clock_timestamp() + $3 * interval '1 millisecond', updated_at = clock_timestamp()
       WHERE j.invoice_id IN (
         SELECT invoice_id FROM ${this.jobs}
         WHERE context_nip = $1 AND next_attempt_at <= clock_timestamp()
           AND (state = 'QUEUED' OR (state = 'SENDING' AND lease_until < clock_timestamp()))
         ORDER BY next_attempt_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING j.*`,
      [contextNip, limit, leaseMs],
    ));
    return rows.map(toJob).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  /** Committed before a send leaves: if the process dies mid-send, the next owner knows to reconcile in this session. */
  async markInflight(manager: EntityManager, invoiceId: string, sessionReferenceNumber: string): Promise<void> {
    await manager.query(`UPDATE ${this.jobs} SET inflight_session_ref = $2, updated_at = clock_timestamp() WHERE invoice_id = $1`, [invoiceId, sessionReferenceNumber]);
  }

  async recordAttempt(manager: EntityManager, a: AttemptRecord): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.attemptsTable} (invoice_id, attempt, counted, started_at, outcome, session_reference_number, invoice_reference_number, invoice_hash,
         http_status, error_code, error_message, exception_codes, reference_numbers, error_body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        a.invoiceId,
        a.attempt,
        a.counted,
        a.startedAt,
        a.outcome,
        a.sessionReferenceNumber ?? null,
        a.invoiceReferenceNumber ?? null,
        a.invoiceHash ?? null,
        a.httpStatus ?? null,
        a.errorCode ?? null,
        a.errorMessage ?? null,
        a.exceptionCodes ?? null,
        a.referenceNumbers ? JSON.stringify(a.referenceNumbers) : null,
        a.errorBody === undefined ? null : JSON.stringify(a.errorBody),
      ],
    );
  }

  /** Sessions in which a send of this invoice may have reached KSeF without an answer. */
  async ambiguousSessions(manager: EntityManager, invoiceId: string): Promise<string[]> {
    const rows: Array<{ session_reference_number: string }> = await manager.query(
      `SELECT session_reference_number FROM ${this.attemptsTable} WHERE invoice_id = $1 AND outcome = 'ambiguous' AND session_reference_number IS NOT NULL
       GROUP BY session_reference_number ORDER BY min(id)`,
      [invoiceId],
    );
    return rows.map((r) => r.session_reference_number);
  }

  /** Back to QUEUED, due after `delayMs`; `countAttempt` adds one counted attempt. */
  async requeue(manager: EntityManager, invoiceId: string, o: { delayMs: number; countAttempt: boolean; needsReconcile: boolean; errorCode?: string }): Promise<void> {
    await manager.query(
      `UPDATE ${this.jobs} SET state = 'QUEUED', lease_until = NULL, inflight_session_ref = NULL, attempts = attempts + $2, needs_reconcile = $3,
         next_attempt_at = clock_timestamp() + $4 * interval '1 millisecond', last_error_code = $5, updated_at = clock_timestamp()
       WHERE invoice_id = $1`,
      [invoiceId, o.countAttempt ? 1 : 0, o.needsReconcile, o.delayMs, o.errorCode ?? null],
    );
  }

  /** A final state: SENT (with KSeF's reference numbers), REJECTED or ESCALATED. */
  async finish(
    manager: EntityManager,
    invoiceId: string,
    state: 'SENT' | 'REJECTED' | 'ESCALATED',
    o: { countAttempt: boolean; sessionReferenceNumber?: string; invoiceReferenceNumber?: string; errorCode?: string; needsReconcile?: boolean },
  ): Promise<void> {
    // An escalation after an unanswered send keeps `needs_reconcile`, so a re-queued job looks in KSeF before sending.
    await manager.query(
      `UPDATE ${this.jobs} SET state = $2, lease_until = NULL, inflight_session_ref = NULL, needs_reconcile = $7, attempts = attempts + $3,
         session_reference_number = coalesce($4, session_reference_number), invoice_reference_number = coalesce($5, invoice_reference_number),
         last_error_code = $6, updated_at = clock_timestamp()
       WHERE invoice_id = $1`,
      [invoiceId, state, o.countAttempt ? 1 : 0, o.sessionReferenceNumber ?? null, o.invoiceReferenceNumber ?? null, o.errorCode ?? null, o.needsReconcile ?? false],
    );
  }

  /** Gives claimed jobs back untouched (circuit opened, shutdown): no attempt is burned. */
  async release(manager: EntityManager, invoiceIds: readonly string[]): Promise<void> {
    if (invoiceIds.length === 0) return;
    await manager.query(`UPDATE ${this.jobs} SET state = 'QUEUED', lease_until = NULL, updated_at = clock_timestamp() WHERE invoice_id = ANY($1::uuid[]) AND state = 'SENDING' AND inflight_session_ref IS NULL`, [invoiceIds]);
  }
}
