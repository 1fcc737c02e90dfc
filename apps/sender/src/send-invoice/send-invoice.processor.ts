import { DataSource, type EntityManager } from 'typeorm';
import { invoiceEscalated, invoiceRejected, invoiceSubmitted, type InvoiceEscalated, type InvoiceRejected, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import type { KsefClient, OnlineSession } from '@ksef-bridge/ksef-client';
import { annotateActiveSpan, type Logger } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import type { IntakeDocumentClient } from '../claim-check/intake-document.client';
import type { KsefContextRow } from '../contexts/ksef-context.repository';
import type { CircuitBreaker } from '../domain/circuit-breaker';
import { retryDelayMs, type RetrySchedule } from '../domain/retry-schedule';
import { decideAfterFailure } from '../domain/send-job';
import type { SenderTopics } from '../sender.settings';
import { isBatchSessionRef, type BatchSessionProbe } from './batch-session-probe';
import { classifyFailure, type ClassifiedFailure } from './failure-facts';
import type { KsefSessions } from './ksef-sessions';
import { LeaseLostError, sendsOffline, type SendJob, type SendJobRepository } from './send-job.repository';

/** KSeF's per-invoice send options of a job: nothing for an online invoice (KSeF's default is online). */
export function sendOptions(job: Pick<SendJob, 'offlineMode' | 'hashOfCorrectedInvoice'>): { offlineMode?: true; hashOfCorrectedInvoice?: string } {
  if (!sendsOffline(job)) return {};
  return job.hashOfCorrectedInvoice ? { offlineMode: true, hashOfCorrectedInvoice: job.hashOfCorrectedInvoice } : { offlineMode: true };
}

/** How long a job waits before its undecided batch session (open, or status unknown) is looked at again. */
const UNDECIDED_BATCH_RECHECK_MS = 5_000;

export interface SenderMetrics {
  attempt(outcome: string): void;
  escalated(code: string): void;
  /** Invoices that reached KSeF (submitted or reconciled), by mode. */
  submittedInvoices(mode: 'online' | 'batch', count: number): void;
  /** One batch session by how it ended: closed, reconciled (close answer lost, status said closed), not-processed, unresolved, failed (before close). */
  batchSession(outcome: 'closed' | 'reconciled' | 'not-processed' | 'unresolved' | 'failed'): void;
}

/** Which step failed: reading KSeF's session list, opening a session, or the send itself. */
export type Step = 'reconcile' | 'document' | 'session' | 'send';

/** How the batch path hands a failure over: its own classification, and the breaker already told once per package. */
export interface FailureOverride {
  facts: ClassifiedFailure;
  /** False: do not feed the circuit breaker (the caller did, once for the whole package). */
  breaker: boolean;
}

/**
 * One attempt for one claimed job: reconcile first when an earlier send may have reached KSeF (lost answer, or the
 * process stopped mid-send), fetch and verify the document, send it in the context's reused session, then record the
 * attempt, the job's new state and the outcome event in ONE transaction.
 */
export class SendInvoiceProcessor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: SendJobRepository,
    private readonly outbox: OutboxWriter,
    private readonly documents: IntakeDocumentClient,
    private readonly sessions: KsefSessions,
    private readonly breaker: CircuitBreaker,
    private readonly topics: SenderTopics,
    private readonly retry: RetrySchedule,
    private readonly logger: Logger,
    private readonly metrics: SenderMetrics,
    private readonly batchProbe: BatchSessionProbe,
  ) {}

  async process(context: KsefContextRow, claimed: SendJob): Promise<void> {
    let job = claimed;
    if (job.inflightSessionRef) job = await this.recordInterrupted(job);
    if (job.tenantId !== context.tenantId) {
      // The context's KSeF token belongs to another tenant: sending would act for them. Nobody can fix this by waiting.
      await this.escalate(job, new Date(), 'CONTEXT_TENANT_MISMATCH', `context ${context.nip} is registered for another tenant`, { outcome: 'error', errorCode: 'CONTEXT_TENANT_MISMATCH' });
      return;
    }

    let step: Step = 'reconcile';
    let startedAt = new Date();
    let sessionRef: string | undefined;
    try {
      const client = this.sessions.client(context);
      if (job.needsReconcile) {
        const found = await this.reconcile(client, job, startedAt);
        if (found) return;
        job = { ...job, needsReconcile: false };
        startedAt = new Date();
      }
      if (job.attempts >= this.retry.maxAttempts) {
        await this.escalate(job, startedAt, 'ATTEMPTS_EXHAUSTED', `${job.attempts} attempts made (any unanswered send was reconciled first: KSeF does not have it)`, { outcome: 'error', errorCode: 'ATTEMPTS_EXHAUSTED' });
        return;
      }
      step = 'document';
      const document = await this.documents.fetch({ invoiceId: job.invoiceId, sha256: job.documentSha256, sizeBytes: job.documentSize });
      step = 'session';
      const session: OnlineSession = await this.sessions.session(context, job.form);
      sessionRef = session.referenceNumber;
      // Offline invoices and technical corrections go with `offlineMode: true`; a correction names the rejected file.
      const prepared = session.prepareInvoice(document, sendOptions(job));
      if (prepared.invoiceHash !== job.invoiceHash) throw new Error('prepared invoice hash differs from the claim check');
      await withTransaction(this.dataSource, (m) => this.jobs.markInflight(m, job, session.referenceNumber));
      step = 'send';
      startedAt = new Date();
      this.sessions.noteSent(context.nip, job.form);
      const sent = await session.sendInvoice(prepared);
      this.breaker.recordSuccess();
      await this.submitted(job, startedAt, { sessionReferenceNumber: sent.sessionReferenceNumber, invoiceReferenceNumber: sent.referenceNumber, reconciled: false, attempt: job.attempts + 1 });
    } catch (error) {
      // Another scheduler owns the job now: it records what happened (reconciling if the send had left).
      if (error instanceof LeaseLostError) throw error;
      await this.failed(context, job, step, startedAt, sessionRef, error);
    }
  }

  /** The previous owner stopped between "send left" and "outcome recorded": that send is ambiguous. */
  private async recordInterrupted(job: SendJob): Promise<SendJob> {
    const session = job.inflightSessionRef as string;
    await withTransaction(this.dataSource, async (m) => {
      await this.jobs.recordAttempt(m, {
        invoiceId: job.invoiceId,
        attempt: job.attempts + 1,
        counted: true,
        startedAt: new Date(),
        outcome: 'ambiguous',
        sessionReferenceNumber: session,
        invoiceHash: job.invoiceHash,
        errorCode: 'SEND_INTERRUPTED',
        errorMessage: 'the sender stopped while a send may have been in flight',
      });
      await this.jobs.markInterrupted(m, job);
    });
    this.metrics.attempt('ambiguous');
    return { ...job, inflightSessionRef: null, needsReconcile: true, attempts: job.attempts + 1 };
  }

  /**
   * Looks for the invoice in every session where a send of it went unanswered: by hash in an interactive session's
   * invoice list; by the status of a batch session (closed = the package, with this invoice, is KSeF's; an open one is
   * closed first, its parts were all uploaded before it was recorded). True when the job is settled for this round:
   * found (SENT), or a batch session still undecided (requeued without sending, nothing sent twice).
   */
  private async reconcile(client: KsefClient, job: SendJob, startedAt: Date): Promise<boolean> {
    const sessions = await this.jobs.ambiguousSessions(this.dataSource.manager, job.invoiceId);
    let undecided: string | undefined;
    for (const sessionReferenceNumber of sessions) {
      if (isBatchSessionRef(sessionReferenceNumber)) {
        const state = await this.batchProbe.resolve(client, sessionReferenceNumber);
        this.breaker.recordSuccess();
        if (state === 'in-ksef') {
          this.logger.info({ invoiceId: job.invoiceId, session: sessionReferenceNumber }, 'ambiguous batch close reconciled: KSeF has the package');
          await this.submitted(job, startedAt, { sessionReferenceNumber, mode: 'batch', reconciled: true, attempt: Math.max(1, job.attempts) });
          return true;
        }
        if (state === 'undecided') undecided = sessionReferenceNumber;
        continue;
      }
      const known = await client.findSessionInvoiceByHash(sessionReferenceNumber, job.invoiceHash);
      this.breaker.recordSuccess();
      if (known) {
        this.logger.info({ invoiceId: job.invoiceId, session: sessionReferenceNumber, invoiceReference: known.referenceNumber }, 'ambiguous send reconciled: KSeF has the invoice');
        await this.submitted(job, startedAt, { sessionReferenceNumber, invoiceReferenceNumber: known.referenceNumber, reconciled: true, attempt: Math.max(1, job.attempts) });
        return true;
      }
    }
    if (undecided) {
      // Not counted and not sent: the package may still become KSeF's. Looked at again after a short wait.
      await withTransaction(this.dataSource, (m) => this.jobs.requeue(m, job, { delayMs: UNDECIDED_BATCH_RECHECK_MS, countAttempt: false, needsReconcile: true, errorCode: 'BATCH_SESSION_UNDECIDED' }));
      this.logger.warn({ invoiceId: job.invoiceId, session: undecided }, 'batch session not decided yet; the invoice waits (no re-send)');
      return true;
    }
    await withTransaction(this.dataSource, async (m) => {
      await this.jobs.recordAttempt(m, { invoiceId: job.invoiceId, attempt: Math.max(1, job.attempts), counted: false, startedAt, outcome: 'not-found', invoiceHash: job.invoiceHash, referenceNumbers: { sessions: sessions.join(',') } });
      await this.jobs.clearReconcile(m, job);
    });
    this.metrics.attempt('not-found');
    this.logger.info({ invoiceId: job.invoiceId, sessions }, 'ambiguous send reconciled: KSeF does not have the invoice; sending again');
    return false;
  }

  private async submitted(job: SendJob, startedAt: Date, o: { sessionReferenceNumber: string; invoiceReferenceNumber?: string; mode?: 'online' | 'batch'; reconciled: boolean; attempt: number }): Promise<void> {
    // SREs find the invoice in KSeF by these: on the attempt's span, next to the KSeF calls it made.
    annotateActiveSpan({ 'ksef.session_reference_number': o.sessionReferenceNumber, 'ksef.invoice_reference_number': o.invoiceReferenceNumber ?? '', 'ksef.invoice_hash': job.invoiceHash });
    const payload: InvoiceSubmitted = {
      invoiceId: job.invoiceId,
      erpDocumentId: job.erpDocumentId,
      contextNip: job.contextNip,
      sessionReferenceNumber: o.sessionReferenceNumber,
      mode: o.mode ?? 'online',
      ...(o.invoiceReferenceNumber ? { invoiceReferenceNumber: o.invoiceReferenceNumber } : {}),
      invoiceHash: job.invoiceHash,
      submittedAt: new Date().toISOString(),
      attempt: o.attempt,
      reconciled: o.reconciled,
    };
    await withTransaction(this.dataSource, async (m) => {
      await this.jobs.recordAttempt(m, {
        invoiceId: job.invoiceId,
        attempt: o.attempt,
        counted: !o.reconciled,
        startedAt,
        outcome: o.reconciled ? 'reconciled' : 'submitted',
        sessionReferenceNumber: o.sessionReferenceNumber,
        invoiceReferenceNumber: o.invoiceReferenceNumber,
        invoiceHash: job.invoiceHash,
        httpStatus: o.reconciled ? undefined : 202,
        referenceNumbers: o.mode === 'batch' ? { mode: 'batch' } : undefined,
      });
      await this.jobs.finish(m, job, 'SENT', { countAttempt: !o.reconciled, sessionReferenceNumber: o.sessionReferenceNumber, invoiceReferenceNumber: o.invoiceReferenceNumber });
      await this.emit(m, job, this.topics.invoiceSubmitted, invoiceSubmitted, payload);
    });
    this.metrics.attempt(o.reconciled ? 'reconciled' : 'submitted');
    this.metrics.submittedInvoices(o.mode ?? 'online', 1);
  }

  /**
   * Records a failed attempt and decides (retry with backoff, reject, escalate). Public for the batch path, which
   * passes its own classification (`override`): a package refused by KSeF is not a rejection of its invoices.
   */
  async failed(context: KsefContextRow, job: SendJob, step: Step, startedAt: Date, sessionRef: string | undefined, error: unknown, override?: FailureOverride): Promise<void> {
    const facts = override?.facts ?? classifyFailure(error, step === 'send');
    if (!override || override.breaker) {
      if (facts.ksefUnavailable) this.breaker.recordFailure();
      else if (facts.ksefAnswered) this.breaker.recordSuccess();
      else this.breaker.release();
    }
    if (facts.sessionGone) this.sessions.forget(context.nip, job.form);

    const counted = facts.outcome !== 'rate-limited';
    const attemptsNow = job.attempts + (counted ? 1 : 0);
    const decision = decideAfterFailure(facts, attemptsNow, (failed) => retryDelayMs(this.retry, failed), this.retry.maxAttempts);
    const attempt = {
      invoiceId: job.invoiceId,
      attempt: job.attempts + 1,
      counted,
      startedAt,
      outcome: facts.outcome,
      sessionReferenceNumber: step === 'send' ? sessionRef : undefined,
      invoiceHash: job.invoiceHash,
      ...facts.record,
    };
    this.metrics.attempt(facts.outcome);
    this.logger.warn({ invoiceId: job.invoiceId, step, outcome: facts.outcome, code: facts.code, httpStatus: facts.record.httpStatus, decision: decision.action }, 'send attempt failed');

    if (decision.action === 'retry') {
      await withTransaction(this.dataSource, async (m) => {
        await this.jobs.recordAttempt(m, attempt);
        await this.jobs.requeue(m, job, { delayMs: decision.delayMs, countAttempt: decision.counted, needsReconcile: job.needsReconcile || decision.reconcile, errorCode: facts.code });
      });
    } else if (decision.action === 'reject') {
      const payload: InvoiceRejected = {
        invoiceId: job.invoiceId,
        erpDocumentId: job.erpDocumentId,
        contextNip: job.contextNip,
        stage: 'send',
        exceptionCodes: facts.record.exceptionCodes ?? [],
        description: facts.record.errorMessage ?? facts.code,
        details: [],
        httpStatus: facts.record.httpStatus,
        sessionReferenceNumber: sessionRef,
        invoiceHash: job.invoiceHash,
        rejectedAt: new Date().toISOString(),
      };
      await withTransaction(this.dataSource, async (m) => {
        await this.jobs.recordAttempt(m, attempt);
        await this.jobs.finish(m, job, 'REJECTED', { countAttempt: true, errorCode: facts.code });
        await this.emit(m, job, this.topics.invoiceRejected, invoiceRejected, payload);
      });
    } else {
      await this.escalate(job, startedAt, decision.code, facts.record.errorMessage ?? facts.code, attempt, facts.record.httpStatus);
    }
  }

  private async escalate(
    job: SendJob,
    startedAt: Date,
    code: string,
    message: string,
    attempt: Partial<Parameters<SendJobRepository['recordAttempt']>[1]> & { outcome: Parameters<SendJobRepository['recordAttempt']>[1]['outcome'] },
    httpStatus?: number,
  ): Promise<void> {
    const counted = attempt.counted ?? false;
    const payload: InvoiceEscalated = {
      invoiceId: job.invoiceId,
      erpDocumentId: job.erpDocumentId,
      contextNip: job.contextNip,
      actor: 'sender',
      code,
      message: message.slice(0, 1000),
      attempts: job.attempts + (counted ? 1 : 0),
      lastHttpStatus: httpStatus,
      referenceNumbers: { ...(attempt.referenceNumbers ?? {}) },
      escalatedAt: new Date().toISOString(),
    };
    await withTransaction(this.dataSource, async (m) => {
      await this.jobs.recordAttempt(m, { invoiceId: job.invoiceId, attempt: Math.max(1, job.attempts + (counted ? 1 : 0)), counted, startedAt, invoiceHash: job.invoiceHash, ...attempt });
      await this.jobs.finish(m, job, 'ESCALATED', { countAttempt: counted, errorCode: code, needsReconcile: job.needsReconcile || attempt.outcome === 'ambiguous' });
      await this.emit(m, job, this.topics.invoiceEscalated, invoiceEscalated, payload);
    });
    this.metrics.escalated(code);
    // The alert: an error-level log line here and ksef_sender_escalated_total for the alert rules.
    this.logger.error({ invoiceId: job.invoiceId, nip: job.contextNip, code, attempts: payload.attempts }, 'invoice ESCALATED: a person must look at it');
  }

  private async emit<P>(m: EntityManager, job: SendJob, topic: string, contract: { type: string; version: number }, payload: P): Promise<void> {
    await this.outbox.enqueue(m, [
      { topic, envelope: newEnvelope({ type: contract.type, version: contract.version, aggregateId: job.invoiceId, tenant: job.tenantId, payload, traceparent: job.traceparent ?? undefined }) },
    ]);
  }
}
