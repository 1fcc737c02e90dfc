import type { DataSource } from 'typeorm';
import { invoiceSubmitted, type InvoiceSubmitted } from '@ksef-bridge/contracts';
import { FORM_CODES, type BatchInvoiceFile } from '@ksef-bridge/ksef-client';
import type { Logger } from '@ksef-bridge/observability';
import { newEnvelope, type OutboxWriter } from '@ksef-bridge/outbox';
import { withTransaction } from '@ksef-bridge/persistence';
import type { IntakeDocumentClient } from '../claim-check/intake-document.client';
import type { KsefContextRow } from '../contexts/ksef-context.repository';
import type { CircuitBreaker } from '../domain/circuit-breaker';
import type { SenderTopics } from '../sender.settings';
import type { BatchSessionProbe, BatchSessionState } from './batch-session-probe';
import { classifyFailure, type ClassifiedFailure } from './failure-facts';
import type { KsefSessions } from './ksef-sessions';
import type { SendInvoiceProcessor, SenderMetrics } from './send-invoice.processor';
import { byDeadlineThenAge, LeaseLostError, sendsOffline, type SendJob, type SendJobRepository } from './send-job.repository';

/**
 * One package for one context: documents → ZIP → encrypted parts → open → upload → (commit: every job names the
 * session) → close. Then, in ONE transaction for the whole package, each job's attempt, SENT and `invoice.submitted`
 * (`mode: 'batch'`, the batch session's reference number, no invoice reference number: the status-poller finds each
 * invoice in the session's list by its hash).
 *
 * KSeF processes a batch session only when it is closed (API.md §5: close → decrypt, join, process; an unclosed one
 * is cancelled with 440 after the upload window). So a failure before the close leaves goes back to QUEUED like an
 * online transport failure; a close without an answer is resolved by the session's status before anything is sent
 * again (an open session is closed once more, never re-sent).
 */
export class BatchSendProcessor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: SendJobRepository,
    private readonly outbox: OutboxWriter,
    private readonly documents: IntakeDocumentClient,
    private readonly sessions: KsefSessions,
    private readonly breaker: CircuitBreaker,
    private readonly online: SendInvoiceProcessor,
    private readonly probe: BatchSessionProbe,
    private readonly topics: SenderTopics,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly metrics: SenderMetrics,
  ) {}

  /** Sends `jobs` (claimed, one form) as one batch session. Returns the jobs left to the interactive path (unreadable documents). */
  async send(context: KsefContextRow, jobs: readonly SendJob[]): Promise<SendJob[]> {
    const { files, unreadable } = await this.readDocuments(jobs);
    // Leases again after reading (thousands of documents take a while): a job taken over meanwhile is not ours to send.
    const held = await withTransaction(this.dataSource, (m) => this.jobs.renewLeases(m, files.map((f) => f.job), this.leaseMs));
    const pkg = files.filter((f) => held.has(f.job.invoiceId));
    if (pkg.length === 0) return unreadable;
    const packaged = pkg.map((f) => f.job);
    if (new Set(packaged.map(sendsOffline)).size > 1) throw new Error('a batch package must not mix offline and online invoices (selectBatch keeps them apart)');
    const client = this.sessions.client(context);
    const startedAt = new Date();
    let sessionRef: string | undefined;
    let closing = false;
    try {
      await client.sendBatch(pkg.map((f): BatchInvoiceFile => ({ fileName: `${f.job.invoiceId}.xml`, content: f.content })), {
        formCode: packaged[0]?.form === 'FA(2)' ? FORM_CODES.FA2 : FORM_CODES.FA3,
        compression: 'Zip',
        // Per session in KSeF: selectBatch never mixes offline and online invoices in one package.
        ...(packaged[0] && sendsOffline(packaged[0]) ? { offlineMode: true } : {}),
        beforeClose: async (ref) => {
          sessionRef = ref;
          await withTransaction(this.dataSource, (m) => this.jobs.markInflightBatch(m, packaged, ref, this.leaseMs));
          closing = true;
        },
      });
    } catch (error) {
      if (!closing) await this.failedBeforeClose(context, packaged, startedAt, sessionRef, error);
      else await this.resolveClose(context, packaged, startedAt, sessionRef as string, error);
      return unreadable;
    }
    // Closed (204). If recording fails now, the jobs keep naming the session and are reconciled by its status later.
    this.breaker.recordSuccess();
    this.logger.info({ nip: context.nip, session: sessionRef, invoices: packaged.length }, 'KSeF batch session closed');
    await this.recordSubmitted(packaged, sessionRef as string, startedAt, false);
    this.metrics.batchSession('closed');
    return unreadable;
  }

  private async readDocuments(jobs: readonly SendJob[]): Promise<{ files: Array<{ job: SendJob; content: Buffer }>; unreadable: SendJob[] }> {
    const files: Array<{ job: SendJob; content: Buffer }> = [];
    const unreadable: SendJob[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++] as SendJob;
        try {
          files.push({ job, content: await this.documents.fetch({ invoiceId: job.invoiceId, sha256: job.documentSha256, sizeBytes: job.documentSize }) });
        } catch {
          // The interactive path reads it again and records the failure per invoice (retry, or escalate a bad claim check).
          unreadable.push(job);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, jobs.length) }, worker));
    files.sort((a, b) => byDeadlineThenAge(a.job, b.job));
    return { files, unreadable };
  }

  /** Nothing was closed: KSeF will not process the package. Each job is a failed attempt (backoff as for online). */
  private async failedBeforeClose(context: KsefContextRow, jobs: readonly SendJob[], startedAt: Date, sessionRef: string | undefined, error: unknown): Promise<void> {
    if (error instanceof LeaseLostError) {
      // A job of the package was taken over by another scheduler: nothing was marked or closed. Give the rest back.
      this.logger.warn({ nip: context.nip, session: sessionRef }, `batch not closed: ${error.message}`);
      await withTransaction(this.dataSource, (m) => this.jobs.release(m, jobs));
      this.metrics.batchSession('failed');
      return;
    }
    const facts = packageFailure(error);
    this.tellBreaker(facts);
    this.metrics.batchSession('failed');
    this.logger.warn({ nip: context.nip, session: sessionRef, code: facts.code, invoices: jobs.length }, 'batch session failed before its close; invoices go back to the queue');
    for (const job of jobs) await this.online.failed(context, job, 'session', startedAt, undefined, error, { facts, breaker: false });
  }

  /** The close failed or its answer was lost: the session's status decides, before anything is sent again. */
  private async resolveClose(context: KsefContextRow, jobs: readonly SendJob[], startedAt: Date, sessionRef: string, error: unknown): Promise<void> {
    let state: BatchSessionState;
    try {
      state = await this.probe.resolve(this.sessions.client(context), sessionRef);
    } catch (probeError) {
      this.logger.warn({ err: probeError, session: sessionRef }, 'batch session status unreadable after a failed close');
      state = 'undecided';
    }
    this.logger.warn({ nip: context.nip, session: sessionRef, state, code: classifyFailure(error, true).code }, 'batch close failed or unanswered; resolved by session status');
    if (state === 'in-ksef') {
      this.breaker.recordSuccess();
      await this.recordSubmitted(jobs, sessionRef, startedAt, true);
      this.metrics.batchSession('reconciled');
      return;
    }
    if (state === 'not-processed') {
      const facts = packageFailure(error);
      this.tellBreaker(facts);
      this.metrics.batchSession('not-processed');
      for (const job of jobs) await this.online.failed(context, job, 'session', startedAt, undefined, error, { facts, breaker: false });
      return;
    }
    // Undecided: an ambiguous attempt naming the session; the job reconciles by the session's status before any re-send.
    const base = classifyFailure(error, true);
    const facts: ClassifiedFailure = { ...base, outcome: 'ambiguous', retriable: true, code: 'BATCH_CLOSE_UNRESOLVED', ksefUnavailable: true, ksefAnswered: false };
    this.tellBreaker(facts);
    this.metrics.batchSession('unresolved');
    for (const job of jobs) await this.online.failed(context, job, 'send', startedAt, sessionRef, error, { facts, breaker: false });
  }

  /** Every job of the package: attempt, SENT and invoice.submitted, in one transaction. */
  private async recordSubmitted(jobs: readonly SendJob[], sessionReferenceNumber: string, startedAt: Date, reconciled: boolean): Promise<void> {
    const submittedAt = new Date().toISOString();
    await withTransaction(this.dataSource, async (m) => {
      for (const job of jobs) {
        const attempt = job.attempts + 1;
        await this.jobs.recordAttempt(m, {
          invoiceId: job.invoiceId,
          attempt,
          counted: true,
          startedAt,
          outcome: reconciled ? 'reconciled' : 'submitted',
          sessionReferenceNumber,
          invoiceHash: job.invoiceHash,
          httpStatus: reconciled ? undefined : 204,
          referenceNumbers: { mode: 'batch', packageSize: String(jobs.length) },
        });
        await this.jobs.finish(m, job, 'SENT', { countAttempt: true, sessionReferenceNumber });
        const payload: InvoiceSubmitted = { invoiceId: job.invoiceId, erpDocumentId: job.erpDocumentId, contextNip: job.contextNip, sessionReferenceNumber, mode: 'batch', invoiceHash: job.invoiceHash, submittedAt, attempt, reconciled };
        await this.outbox.enqueue(m, [
          { topic: this.topics.invoiceSubmitted, envelope: newEnvelope({ type: invoiceSubmitted.type, version: invoiceSubmitted.version, aggregateId: job.invoiceId, tenant: job.tenantId, payload, traceparent: job.traceparent ?? undefined }) },
        ]);
      }
    });
    for (let i = 0; i < jobs.length; i += 1) this.metrics.attempt(reconciled ? 'reconciled' : 'submitted');
    this.metrics.submittedInvoices('batch', jobs.length);
  }

  private tellBreaker(facts: ClassifiedFailure): void {
    if (facts.ksefUnavailable) this.breaker.recordFailure();
    else if (facts.ksefAnswered) this.breaker.recordSuccess();
    else this.breaker.release();
  }
}

/**
 * A package KSeF did not take (refused open, failed upload, refused close with the session never processed): a
 * failure of the package, not a rejection of its invoices, so a logical refusal is retried (and escalates after the
 * maximum attempts) instead of rejecting every invoice in it.
 */
export function packageFailure(error: unknown): ClassifiedFailure {
  const facts = classifyFailure(error, false);
  if (facts.outcome === 'rejected') return { ...facts, outcome: 'error', retriable: true, code: `BATCH_${facts.code}` };
  return facts;
}
