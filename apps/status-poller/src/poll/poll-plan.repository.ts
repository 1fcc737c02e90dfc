import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { PermanentError } from '@ksef-bridge/errors';
import type { PollState } from '../domain/poll-plan';
import { returnedRows } from '../infrastructure/returned-rows';

export interface PollRow {
  invoiceId: string;
  tenantId: string;
  erpDocumentId: string;
  contextNip: string;
  mode: 'online' | 'batch';
  sessionReferenceNumber: string;
  /** Absent for a batch invoice until it is found in the session's list by its hash. */
  invoiceReferenceNumber: string | null;
  invoiceHash: string;
  state: PollState;
  /** Polls made in the current phase (verdict, then UPO); drives the backoff. */
  polls: number;
  processingEmitted: boolean;
  ksefNumber: string | null;
  acquisitionDate: Date | null;
  duplicate: boolean;
  upoSessionReferenceNumber: string | null;
  acceptedAt: Date | null;
  submittedAt: Date;
  /** A watched escalation (KSEF_NO_VERDICT) is polled for a late verdict until then; null: not watched. */
  watchUntil: Date | null;
  traceparent: string | null;
  /** Set by each claim: every later write names it, so a poller whose lease was taken over writes nothing. */
  claimToken: string;
}

export type Claim = Pick<PollRow, 'invoiceId' | 'claimToken'>;

/** The row was claimed again by another poller after this one's lease ran out: this claimer must not write. */
export class PollLeaseLostError extends PermanentError {
  constructor(invoiceId: string) {
    super('POLL_LEASE_LOST', `the claim on poll plan ${invoiceId} was lost (lease expired and another poller took it)`);
  }
}

export interface NewPollPlan {
  invoiceId: string;
  tenantId: string;
  erpDocumentId: string;
  contextNip: string;
  mode: 'online' | 'batch';
  sessionReferenceNumber: string;
  invoiceReferenceNumber?: string;
  invoiceHash: string;
  submittedAt: Date;
  firstPollDelayMs: number;
  traceparent?: string;
}

/** What an accepted invoice's result row holds. */
export interface AcceptedResult {
  ksefNumber: string;
  acquisitionDate: Date;
  duplicate: boolean;
  sessionReferenceNumber: string;
  invoiceReferenceNumber: string;
  upoXml?: string;
}

interface Row {
  invoice_id: string;
  tenant_id: string;
  erp_document_id: string;
  context_nip: string;
  mode: 'online' | 'batch';
  session_reference_number: string;
  invoice_reference_number: string | null;
  invoice_hash: string;
  state: PollState;
  polls: number;
  processing_emitted: boolean;
  ksef_number: string | null;
  acquisition_date: Date | null;
  duplicate: boolean;
  upo_session_reference_number: string | null;
  accepted_at: Date | null;
  submitted_at: Date;
  watch_until: Date | null;
  traceparent: string | null;
  claim_token: string;
}

const toPoll = (r: Row): PollRow => ({
  invoiceId: r.invoice_id,
  tenantId: r.tenant_id,
  erpDocumentId: r.erp_document_id,
  contextNip: r.context_nip,
  mode: r.mode,
  sessionReferenceNumber: r.session_reference_number,
  invoiceReferenceNumber: r.invoice_reference_number,
  invoiceHash: r.invoice_hash,
  state: r.state,
  polls: r.polls,
  processingEmitted: r.processing_emitted,
  ksefNumber: r.ksef_number,
  acquisitionDate: r.acquisition_date,
  duplicate: r.duplicate,
  upoSessionReferenceNumber: r.upo_session_reference_number,
  acceptedAt: r.accepted_at,
  submittedAt: r.submitted_at,
  watchUntil: r.watch_until,
  traceparent: r.traceparent,
  claimToken: r.claim_token,
});

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The poll plan and the accepted results. Every write after a claim names the claim token, in the caller's transaction. */
export class PollPlanRepository {
  readonly plan: string;
  readonly results: string;

  constructor(schema: string) {
    this.plan = `"${schema}".poll_plan`;
    this.results = `"${schema}".accepted_invoices`;
  }

  /** Creates the plan of an invoice (WAITING, first poll after `firstPollDelayMs`). False when it already exists. */
  async insert(manager: EntityManager, p: NewPollPlan): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.plan} (invoice_id, tenant_id, erp_document_id, context_nip, mode, session_reference_number, invoice_reference_number, invoice_hash,
         state, next_poll_at, submitted_at, traceparent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'WAITING', clock_timestamp() + $9 * interval '1 millisecond', $10, $11)
       ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`,
      [p.invoiceId, p.tenantId, p.erpDocumentId, p.contextNip, p.mode, p.sessionReferenceNumber, p.invoiceReferenceNumber ?? null, p.invoiceHash, p.firstPollDelayMs, p.submittedAt, p.traceparent ?? null],
    );
    return rows.length === 1;
  }

  /**
   * Claims up to `limit` due rows (active state or a watched escalation, `next_poll_at` passed, no live lease) with `FOR UPDATE SKIP LOCKED`,
   * giving each a new claim token and a lease of `leaseMs`. Rows of one session come together, so they share a listing.
   */
  async claimDue(manager: EntityManager, limit: number, leaseMs: number): Promise<PollRow[]> {
    const rows = returnedRows<Row>(await manager.query(
      `UPDATE ${this.plan} p SET claim_token = gen_random_uuid(), lease_until = clock_timestamp() + $2 * interval '1 millisecond', updated_at = clock_timestamp()
       WHERE p.invoice_id IN (
         SELECT invoice_id FROM ${this.plan}
         WHERE (state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE') OR (state = 'ESCALATED' AND watch_until > clock_timestamp())) AND next_poll_at <= clock_timestamp()
           AND (lease_until IS NULL OR lease_until < clock_timestamp())
         ORDER BY next_poll_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING p.*`,
      [limit, leaseMs],
    ));
    return rows.map(toPoll);
  }

  /** Extends the lease of a claimed row right before it is worked on; false when the claim was lost meanwhile. */
  async renewLease(manager: EntityManager, claim: Claim, leaseMs: number): Promise<boolean> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.plan} SET lease_until = clock_timestamp() + $3 * interval '1 millisecond' WHERE invoice_id = $1 AND claim_token = $2 RETURNING invoice_id`,
      [claim.invoiceId, claim.claimToken, leaseMs],
    ));
    return rows.length === 1;
  }

  /** Extends the leases of claimed rows about to be worked on; returns the ids this claimer still holds. */
  async renewLeases(manager: EntityManager, claims: readonly Claim[], leaseMs: number): Promise<Set<string>> {
    const rows = returnedRows<{ invoice_id: string }>(await manager.query(
      `UPDATE ${this.plan} p SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
       FROM unnest($1::uuid[], $2::uuid[]) AS c(invoice_id, claim_token)
       WHERE p.invoice_id = c.invoice_id AND p.claim_token = c.claim_token RETURNING p.invoice_id`,
      [claims.map((c) => c.invoiceId), claims.map((c) => c.claimToken), leaseMs],
    ));
    return new Set(rows.map((r) => r.invoice_id));
  }

  /** Poll again after `delayMs` (lease given back). */
  async reschedule(
    manager: EntityManager,
    claim: Claim,
    o: { delayMs: number; countPoll: boolean; statusCode?: number; errorCode?: string; processingEmitted?: boolean; invoiceReferenceNumber?: string },
  ): Promise<void> {
    await this.update(
      manager,
      claim,
      `polls = polls + $3, next_poll_at = clock_timestamp() + $4 * interval '1 millisecond', last_status_code = coalesce($5, last_status_code),
       last_error_code = $6, processing_emitted = processing_emitted OR $7, invoice_reference_number = coalesce(invoice_reference_number, $8)`,
      [o.countPoll ? 1 : 0, o.delayMs, o.statusCode ?? null, o.errorCode ?? null, o.processingEmitted ?? false, o.invoiceReferenceNumber ?? null],
    );
  }

  /** The verdict is "accepted" but the UPO is not here yet: remember the KSeF number, fetch the UPO from now on. */
  async awaitUpo(
    manager: EntityManager,
    claim: Claim,
    o: { ksefNumber: string; acquisitionDate?: Date; duplicate: boolean; upoSessionReferenceNumber: string; invoiceReferenceNumber: string; delayMs: number; errorCode?: string },
  ): Promise<void> {
    await this.update(
      manager,
      claim,
      `state = 'UPO_WAITING', polls = 1, next_poll_at = clock_timestamp() + $3 * interval '1 millisecond', ksef_number = $4, acquisition_date = $5, duplicate = $6,
       upo_session_reference_number = $7, invoice_reference_number = $8, accepted_at = clock_timestamp(), last_status_code = 200, last_error_code = $9, watch_until = NULL`,
      [o.delayMs, o.ksefNumber, o.acquisitionDate ?? null, o.duplicate, o.upoSessionReferenceNumber, o.invoiceReferenceNumber, o.errorCode ?? null],
    );
  }

  /**
   * A final or late state; sets the verdict columns when given (a verdict and its UPO in one step). `watchMs` (an
   * ESCALATED row only): watch it for a late verdict that long, first poll after `delayMs`; any other state clears the watch.
   */
  async finish(
    manager: EntityManager,
    claim: Claim,
    state: 'DONE' | 'REJECTED' | 'ESCALATED' | 'UPO_LATE',
    o: { delayMs?: number; statusCode?: number; errorCode?: string; invoiceReferenceNumber?: string; watchMs?: number; verdict?: { ksefNumber: string; acquisitionDate: Date; duplicate: boolean; upoSessionReferenceNumber: string } },
  ): Promise<void> {
    const v = o.verdict;
    await this.update(
      manager,
      claim,
      `state = $3, polls = CASE WHEN state = $3 THEN polls ELSE 0 END, next_poll_at = clock_timestamp() + $4 * interval '1 millisecond',
       last_status_code = coalesce($5, last_status_code), last_error_code = $6, invoice_reference_number = coalesce(invoice_reference_number, $7),
       ksef_number = coalesce($8, ksef_number), acquisition_date = coalesce($9, acquisition_date), duplicate = duplicate OR $10,
       upo_session_reference_number = coalesce($11, upo_session_reference_number), accepted_at = coalesce(accepted_at, CASE WHEN $8::text IS NULL THEN NULL ELSE clock_timestamp() END),
       watch_until = CASE WHEN $3 = 'ESCALATED' AND $12::float8 > 0 THEN clock_timestamp() + $12::float8 * interval '1 millisecond' ELSE NULL END`,
      [state, o.delayMs ?? 0, o.statusCode ?? null, o.errorCode ?? null, o.invoiceReferenceNumber ?? null, v?.ksefNumber ?? null, v?.acquisitionDate ?? null, v?.duplicate ?? false, v?.upoSessionReferenceNumber ?? null, state === 'ESCALATED' ? (o.watchMs ?? 0) : 0],
    );
  }

  /** The result row of an accepted invoice (with its UPO when known). Written once, with invoice.accepted. */
  async insertResult(manager: EntityManager, invoiceId: string, r: AcceptedResult): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.results} (invoice_id, ksef_number, acquisition_date, duplicate, session_reference_number, invoice_reference_number, upo_xml, upo_sha256, upo_received_at, accepted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $7::text IS NULL THEN NULL ELSE clock_timestamp() END, clock_timestamp())`,
      [invoiceId, r.ksefNumber, r.acquisitionDate, r.duplicate, r.sessionReferenceNumber, r.invoiceReferenceNumber, r.upoXml ?? null, r.upoXml ? sha256Hex(r.upoXml) : null],
    );
  }

  /** A late UPO: filled in once (the row's guard refuses to replace a stored one). */
  async storeLateUpo(manager: EntityManager, invoiceId: string, upoXml: string): Promise<void> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.results} SET upo_xml = $2, upo_sha256 = $3, upo_received_at = clock_timestamp() WHERE invoice_id = $1 AND upo_xml IS NULL RETURNING invoice_id`,
      [invoiceId, upoXml, sha256Hex(upoXml)],
    ));
    if (rows.length !== 1) throw new PermanentError('UPO_ALREADY_STORED', `invoice ${invoiceId} has no result row waiting for a UPO`);
  }

  /** Gives claimed rows back untouched (shutdown): no poll is counted. */
  async release(manager: EntityManager, claims: readonly Claim[]): Promise<void> {
    if (claims.length === 0) return;
    await manager.query(
      `UPDATE ${this.plan} p SET lease_until = NULL, claim_token = NULL, updated_at = clock_timestamp()
       FROM unnest($1::uuid[], $2::uuid[]) AS c(invoice_id, claim_token)
       WHERE p.invoice_id = c.invoice_id AND p.claim_token = c.claim_token`,
      [claims.map((c) => c.invoiceId), claims.map((c) => c.claimToken)],
    );
  }

  /** Rows still waiting for a verdict, the oldest one's age, and accepted invoices without a UPO (gauges). */
  async backlog(manager: EntityManager): Promise<{ waiting: number; oldestAgeSeconds: number; upoWaiting: number; missingUpo: number }> {
    const [row]: Array<{ waiting: string; oldest: string | null; upo_waiting: string; missing: string }> = await manager.query(
      `SELECT count(*) FILTER (WHERE state = 'WAITING') AS waiting,
              extract(epoch FROM clock_timestamp() - min(submitted_at) FILTER (WHERE state = 'WAITING')) AS oldest,
              count(*) FILTER (WHERE state = 'UPO_WAITING') AS upo_waiting,
              count(*) FILTER (WHERE state = 'UPO_LATE') AS missing
       FROM ${this.plan} WHERE state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE')`,
    );
    return { waiting: Number(row.waiting), oldestAgeSeconds: Number(row.oldest ?? 0), upoWaiting: Number(row.upo_waiting), missingUpo: Number(row.missing) };
  }

  /** Open rows (WAITING, UPO_WAITING, UPO_LATE) of one context whose UPO is in `sessionReferenceNumber` (index poll_plan_open_by_session). */
  async openRowsInSession(manager: EntityManager, contextNip: string, sessionReferenceNumber: string): Promise<number> {
    const [row]: Array<{ n: number }> = await manager.query(
      `SELECT count(*)::int AS n FROM ${this.plan}
       WHERE state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE') AND context_nip = $1 AND coalesce(upo_session_reference_number, session_reference_number) = $2`,
      [contextNip, sessionReferenceNumber],
    );
    return row.n;
  }

  /** `SET …` on the row if this claim still holds it ($1 invoice id, $2 claim token, then `params`); the lease is given back. */
  private async update(manager: EntityManager, claim: Claim, set: string, params: unknown[]): Promise<void> {
    const rows = returnedRows(await manager.query(
      `UPDATE ${this.plan} SET ${set}, lease_until = NULL, claim_token = NULL, updated_at = clock_timestamp()
       WHERE invoice_id = $1 AND claim_token = $2 AND (state IN ('WAITING', 'UPO_WAITING', 'UPO_LATE') OR (state = 'ESCALATED' AND watch_until IS NOT NULL)) RETURNING invoice_id`,
      [claim.invoiceId, claim.claimToken, ...params],
    ));
    if (rows.length !== 1) throw new PollLeaseLostError(claim.invoiceId);
  }
}
