import type { EntityManager } from 'typeorm';
import { PermanentError } from '@ksef-bridge/errors';
import type { OfflineMode } from '@ksef-bridge/offline-mode';
import type { AttemptOutcome, SendJobState } from '../domain/send-job';
import { returnedRows } from '../infrastructure/returned-rows';
import { OfflineJobsRepository } from './offline-jobs.repository';

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
  /** Set by each claim: every later write names it, so a claimer whose lease was taken over writes nothing. */
  claimToken: string;
  /** Issued offline (sent with `offlineMode: true`); null for an online invoice. */
  offlineMode: OfflineMode | null;
  /** Technical correction: Base64 SHA-256 of the rejected offline invoice it corrects (interactive only). */
  hashOfCorrectedInvoice: string | null;
  /** Legal send deadline (exclusive instant); null when online, pending or not required. */
  sendDeadline: Date | null;
}

/** Sent with `offlineMode: true`: issued offline, or a technical correction (KSeF requires offline mode for it). */
export const sendsOffline = (job: Pick<SendJob, 'offlineMode' | 'hashOfCorrectedInvoice'>): boolean => job.offlineMode !== null || job.hashOfCorrectedInvoice !== null;

/** A claimed job, as its writes identify it. */
export type Claim = Pick<SendJob, 'invoiceId' | 'claimToken'>;

/** The job was claimed again by another scheduler after this one's lease ran out: this claimer must not write. */
export class LeaseLostError extends PermanentError {
  constructor(invoiceId: string) {
    super('SEND_JOB_LEASE_LOST', `the claim on send job ${invoiceId} was lost (lease expired and another scheduler took it)`);
  }
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
  /** Offline issuance and the deadline computed for it (offline-deadline.ts). */
  offline?: { mode: OfflineMode; issueDate: string; periodEndedAt?: Date; sendDeadline: Date | null; deadlineBasis: string };
  hashOfCorrectedInvoice?: string;
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
  claim_token: string;
  offline_mode: OfflineMode | null;
  hash_of_corrected_invoice: string | null;
  send_deadline: Date | null;
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
  claimToken: r.claim_token,
  offlineMode: r.offline_mode ?? null,
  hashOfCorrectedInvoice: r.hash_of_corrected_invoice ?? null,
  sendDeadline: r.send_deadline ?? null,
});

/**
 * Drain order: the earliest legal deadline first; then offline invoices whose deadline is not known yet (pending: the
 * period that starts their count has not ended, or total failure) before online ones, which have no send deadline at
 * all; then by age.
 */
export const byDeadlineThenAge = (a: SendJob, b: SendJob): number =>
  (a.sendDeadline?.getTime() ?? Infinity) - (b.sendDeadline?.getTime() ?? Infinity) ||
  Number(a.offlineMode == null) - Number(b.offlineMode == null) ||
  a.createdAt.getTime() - b.createdAt.getTime();

/** KSeF's invoiceHash (Base64 SHA-256) of a document whose hex SHA-256 the claim check carries. */
export const invoiceHashOf = (sha256Hex: string): string => Buffer.from(sha256Hex, 'hex').toString('base64');

/** Send jobs and their attempts. Every state change goes through here, inside the caller's transaction. */
export class SendJobRepository {
  readonly jobs: string;
  /** Offline jobs: observed outages, pending deadlines, counts per deadline state. */
  readonly offline: OfflineJobsRepository;
  private readonly attemptsTable: string;

  constructor(schema: string) {
    this.jobs = `"${schema}".send_jobs`;
    this.attemptsTable = `"${schema}".send_attempts`;
    this.offline = new OfflineJobsRepository(schema);
  }

  /** Creates the job of an invoice (QUEUED, due now). False when it already exists: the invoice is sent once. */
  async enqueue(manager: EntityManager, job: NewSendJob): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.jobs} (invoice_id, tenant_id, erp_document_id, context_nip, form, document_sha256, document_size, invoice_hash, traceparent, state,
         offline_mode, issue_date, offline_period_ended_at, send_deadline, send_deadline_basis, hash_of_corrected_invoice)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'QUEUED', $10, $11::date, $12, $13, $14, $15) ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`,
      [
        job.invoiceId,
        job.tenantId,
        job.erpDocumentId,
        job.contextNip,
        job.form,
        job.documentSha256,
        job.documentSize,
        invoiceHashOf(job.documentSha256),
        job.traceparent ?? null,
        job.offline?.mode ?? null,
        job.offline?.issueDate ?? null,
        job.offline?.periodEndedAt ?? null,
        job.offline?.sendDeadline ?? null,
        job.offline?.deadlineBasis ?? null,
        job.hashOfCorrectedInvoice ?? null,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Claims up to `limit` due jobs of a context (QUEUED and due, or SENDING whose lease ran out) with
   * `FOR UPDATE SKIP LOCKED`, moving them to SENDING under a lease of `leaseMs`. Earliest legal deadline first
   * (offline invoices' `send_deadline`; none last, offline ones with a pending deadline before online ones), then oldest first by age (`created_at`) among the due ones, so after
   * an outage an invoice that failed (and was pushed back by its backoff) before the circuit opened is not overtaken by
   * younger ones, and an offline invoice due tomorrow goes before an online one received an hour ago.
   */
  async claimDue(manager: EntityManager, contextNip: string, limit: number, leaseMs: number): Promise<SendJob[]> {
    const rows = returnedRows<Row>(await manager.query(
      `UPDATE ${this.jobs} j SET state = 'SENDING', claim_token = gen_random_uuid(), lease_until = clock_timestamp() + $3 * interval '1 millisecond', updated_at = clock_timestamp()
       WHERE j.invoice_id IN (
         SELECT invoice_id FROM ${this.jobs}
         WHERE context_nip = $1 AND next_attempt_at <= clock_timestamp()
           AND (state = 'QUEUED' OR (state = 'SENDING' AND lease_until < clock_timestamp()))
         ORDER BY send_deadline NULLS LAST, (offline_mode IS NULL), created_at, next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING j.*`,
      [contextNip, limit, leaseMs],
    ));
    return rows.map(toJob).sort(byDeadlineThenAge);
  }

  /** Extends the lease of a claimed job right before it is worked on; false when the claim was lost meanwhile. */
  async renewLease(manager: EntityManager, claim: Claim, leaseMs: number): Promise<boolean> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.jobs} SET lease_until = clock_timestamp() + $3 * interval '1 millisecond' WHERE invoice_id = $1 AND claim_token = $2 AND state = 'SENDING' RETURNING invoice_id`,
      [claim.invoiceId, claim.claimToken, leaseMs],
    ));
    return rows.length === 1;
  }

  /** Committed before a send leaves: if the process dies mid-send, the next owner knows to reconcile in this session. */
  async markInflight(manager: EntityManager, claim: Claim, sessionReferenceNumber: string): Promise<void> {
    await this.update(manager, claim, `inflight_session_ref = $3`, [sessionReferenceNumber]);
  }

  /** The previous owner died mid-send: one counted ambiguous attempt, reconcile before anything else. */
  async markInterrupted(manager: EntityManager, claim: Claim): Promise<void> {
    await this.update(manager, claim, `inflight_session_ref = NULL, needs_reconcile = true, attempts = attempts + 1`, []);
  }

  /** Reconciliation found nothing: sending again is safe. */
  async clearReconcile(manager: EntityManager, claim: Claim): Promise<void> {
    await this.update(manager, claim, `needs_reconcile = false`, []);
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
  async requeue(manager: EntityManager, claim: Claim, o: { delayMs: number; countAttempt: boolean; needsReconcile: boolean; errorCode?: string }): Promise<void> {
    await this.update(
      manager,
      claim,
      `state = 'QUEUED', lease_until = NULL, inflight_session_ref = NULL, attempts = attempts + $3, needs_reconcile = $4,
       next_attempt_at = clock_timestamp() + $5 * interval '1 millisecond', last_error_code = $6`,
      [o.countAttempt ? 1 : 0, o.needsReconcile, o.delayMs, o.errorCode ?? null],
    );
  }

  /** A final state: SENT (with KSeF's reference numbers), REJECTED or ESCALATED. */
  async finish(
    manager: EntityManager,
    claim: Claim,
    state: 'SENT' | 'REJECTED' | 'ESCALATED',
    o: { countAttempt: boolean; sessionReferenceNumber?: string; invoiceReferenceNumber?: string; errorCode?: string; needsReconcile?: boolean },
  ): Promise<void> {
    // An escalation after an unanswered send keeps `needs_reconcile`, so a re-queued job looks in KSeF before sending.
    await this.update(
      manager,
      claim,
      `state = $3, lease_until = NULL, inflight_session_ref = NULL, needs_reconcile = $8, attempts = attempts + $4,
       session_reference_number = coalesce($5, session_reference_number), invoice_reference_number = coalesce($6, invoice_reference_number),
       last_error_code = $7`,
      [state, o.countAttempt ? 1 : 0, o.sessionReferenceNumber ?? null, o.invoiceReferenceNumber ?? null, o.errorCode ?? null, o.needsReconcile ?? false],
    );
  }

  /**
   * A context's due jobs that could go into a batch package (no reconciliation pending, no send in flight) and the
   * age of the oldest: the inputs of the batch-session switch.
   */
  async dueForBatch(manager: EntityManager, contextNip: string): Promise<{ due: number; oldestAgeMs: number }> {
    const [row]: Array<{ due: string; oldest_ms: string | null }> = await manager.query(
      `SELECT count(*) AS due, extract(epoch FROM clock_timestamp() - min(created_at)) * 1000 AS oldest_ms FROM ${this.jobs}
       WHERE context_nip = $1 AND next_attempt_at <= clock_timestamp() AND NOT needs_reconcile AND inflight_session_ref IS NULL
         AND (state = 'QUEUED' OR (state = 'SENDING' AND lease_until < clock_timestamp()))`,
      [contextNip],
    );
    return { due: Number(row.due), oldestAgeMs: Number(row.oldest_ms ?? 0) };
  }

  /** Extends the leases of claimed jobs; returns the claims still held (the others were taken over meanwhile). */
  async renewLeases(manager: EntityManager, claims: readonly Claim[], leaseMs: number): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const rows = returnedRows<{ invoice_id: string }>(await manager.query(
      `UPDATE ${this.jobs} j SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
       FROM unnest($1::uuid[], $2::uuid[]) AS c(invoice_id, claim_token)
       WHERE j.invoice_id = c.invoice_id AND j.claim_token = c.claim_token AND j.state = 'SENDING' RETURNING j.invoice_id`,
      [claims.map((c) => c.invoiceId), claims.map((c) => c.claimToken), leaseMs],
    ));
    return new Set(rows.map((r) => r.invoice_id));
  }

  /**
   * Committed before a batch session's close leaves: every job of the package names the session (and keeps its lease
   * for `leaseMs` more). All or nothing: if one claim was lost, nothing is marked and the package must not be closed.
   */
  async markInflightBatch(manager: EntityManager, claims: readonly Claim[], sessionReferenceNumber: string, leaseMs: number): Promise<void> {
    const rows = returnedRows<{ invoice_id: string }>(await manager.query(
      `UPDATE ${this.jobs} j SET inflight_session_ref = $3, lease_until = clock_timestamp() + $4 * interval '1 millisecond', updated_at = clock_timestamp()
       FROM unnest($1::uuid[], $2::uuid[]) AS c(invoice_id, claim_token)
       WHERE j.invoice_id = c.invoice_id AND j.claim_token = c.claim_token AND j.state = 'SENDING' RETURNING j.invoice_id`,
      [claims.map((c) => c.invoiceId), claims.map((c) => c.claimToken), sessionReferenceNumber, leaseMs],
    ));
    const held = new Set(rows.map((r) => r.invoice_id));
    const lost = claims.find((c) => !held.has(c.invoiceId));
    if (lost) throw new LeaseLostError(lost.invoiceId);
  }

  /** Jobs waiting to reach KSeF (QUEUED or SENDING) and the age of the oldest, for the backlog gauges. */
  async backlog(manager: EntityManager): Promise<{ waiting: number; oldestAgeSeconds: number }> {
    const [row]: Array<{ waiting: string; oldest: string | null }> = await manager.query(
      `SELECT count(*) AS waiting, extract(epoch FROM clock_timestamp() - min(created_at)) AS oldest FROM ${this.jobs} WHERE state IN ('QUEUED', 'SENDING')`,
    );
    return { waiting: Number(row.waiting), oldestAgeSeconds: Number(row.oldest ?? 0) };
  }

  /** Gives claimed jobs back untouched (circuit opened, shutdown): no attempt is burned. */
  async release(manager: EntityManager, claims: readonly Claim[]): Promise<void> {
    if (claims.length === 0) return;
    await manager.query(
      `UPDATE ${this.jobs} j SET state = 'QUEUED', lease_until = NULL, updated_at = clock_timestamp()
       FROM unnest($1::uuid[], $2::uuid[]) AS c(invoice_id, claim_token)
       WHERE j.invoice_id = c.invoice_id AND j.claim_token = c.claim_token AND j.state = 'SENDING' AND j.inflight_session_ref IS NULL`,
      [claims.map((c) => c.invoiceId), claims.map((c) => c.claimToken)],
    );
  }

  /** `SET …` on the job if this claim still holds it ($1 invoice id, $2 claim token, then `params`); LeaseLostError otherwise. */
  private async update(manager: EntityManager, claim: Claim, set: string, params: unknown[]): Promise<void> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.jobs} SET ${set}, updated_at = clock_timestamp() WHERE invoice_id = $1 AND claim_token = $2 AND state = 'SENDING' RETURNING invoice_id`,
      [claim.invoiceId, claim.claimToken, ...params],
    ));
    if (rows.length !== 1) throw new LeaseLostError(claim.invoiceId);
  }
}
