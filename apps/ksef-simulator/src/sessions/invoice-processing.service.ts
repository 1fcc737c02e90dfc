import { safeError } from '../domain/safe-error';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { generateKsefNumber, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import type { Logger } from '@ksef-bridge/observability';
import { LOGGER } from '@ksef-bridge/service-kit';
import { SimClock } from '../domain/clock';
import { randomPool } from '../domain/random-pool';
import { FaultPlan } from '../domain/faults/fault-plan';
import type { CheckResult } from '../domain/processing/invoice-checks';
import type { CheckRequest } from '../domain/processing/check-protocol';
import { InvoiceChecker } from './invoice-checker';
import { INVOICE_STATUS } from '../domain/statuses';
import type { SimulatorSettings } from '../domain/simulator-settings';
import { SIM_SETTINGS } from '../domain/simulator-tokens';
import { InvoiceRepository, type InvoiceOutcome } from '../infrastructure/invoice.repository';
import { SessionLimitsService } from './session-limits.service';
import { ProcessingQueue, type InvoiceSnapshot } from './processing-queue';
import { SimulatorMetrics } from '../http/simulator-metrics';
import { SessionService } from './session.service';
import { XML_VALIDATOR } from './xml-validator.provider';

interface QueuedInvoice {
  referenceNumber: string;
  sessionReference: string;
  /** Simulated time at which the final step runs (status 100 -> 150 after one delay, final after two). */
  dueAt: number;
  /** In-memory copy of the stored row (absent for invoices re-queued after a restart: read from PostgreSQL). */
  snapshot?: InvoiceSnapshot;
}

const BATCH = 500;

type SessionContext = Awaited<ReturnType<SessionService['contextOf']>>;

/**
 * Asynchronous invoice processing. Submissions are queued in memory (and are in PostgreSQL with status 100, so a
 * restart re-queues them); due invoices are processed in batches: checks, KSeF number, duplicate claim, one UPDATE.
 * Status 150 is derived from time (see InvoiceViews) instead of being written, halving the writes per invoice.
 */
@Injectable()
export class InvoiceProcessingService implements OnModuleInit, OnApplicationShutdown {
  private queue: QueuedInvoice[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly limits: SessionLimitsService,
    private readonly sessions: SessionService,
    private readonly queueIn: ProcessingQueue,
    private readonly clock: SimClock,
    private readonly faults: FaultPlan,
    @Inject(XML_VALIDATOR) private readonly validator: KsefXmlValidator,
    @Inject(SIM_SETTINGS) private readonly settings: SimulatorSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: SimulatorMetrics,
    private readonly checker: InvoiceChecker,
  ) {}

  async onModuleInit(): Promise<void> {
    this.queueIn.attach((invoice, session, snapshot) => this.enqueue(invoice, session, snapshot));
    const pending = await this.invoices.pendingForProcessing(1_000_000);
    const now = this.clock.now();
    for (const p of pending) this.queue.push({ referenceNumber: p.reference_number, sessionReference: p.session_reference, dueAt: now });
    if (pending.length) this.logger.info({ count: pending.length }, 're-queued invoices left in processing');
    for (const ref of await this.sessions.awaitingFinalizationRefs()) void this.sessions.tryFinalize(ref);
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.checker.close();
    this.validator.close();
  }

  enqueue(referenceNumber: string, sessionReference: string, snapshot?: InvoiceSnapshot): void {
    this.metrics.invoicesReceived.inc({ session_type: sessionReference.slice(9, 11) === 'SB' ? 'Batch' : 'Online' });
    this.queue.push({ referenceNumber, sessionReference, snapshot, dueAt: this.clock.now() + 2 * this.settings.processingDelayMs });
    this.schedule();
  }

  /** Number of invoices waiting (metrics, tests). */
  get backlog(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.running || !this.queue.length) return;
    const waitSim = Math.max(0, this.queue[0].dueAt - this.clock.now());
    const waitReal = this.faults.processingStuck(this.clock.now()) ? 50 : Math.min(1_000, Math.ceil(this.clock.toRealMs(waitSim)));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain()
        .then(
          () => 0,
          (error: unknown) => {
            this.logger.error({ error: safeError(error) }, 'invoice processing batch failed; retrying in 1 s');
            return 1_000;
          },
        )
        .then((pauseMs) => new Promise<void>((resolve) => (pauseMs ? setTimeout(resolve, pauseMs).unref() : resolve())))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, waitReal);
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length && !this.faults.processingStuck(this.clock.now())) {
      const now = this.clock.now();
      let count = 0;
      while (count < this.queue.length && count < BATCH && this.queue[count].dueAt <= now) count++;
      if (!count) return;
      const batch = this.queue.slice(0, count);
      await this.processBatch(batch);
      this.queue.splice(0, count);
    }
  }

  private async processBatch(batch: QueuedInvoice[]): Promise<void> {
    const inMemory = batch.flatMap((b) => (b.snapshot ? [b.snapshot] : []));
    const missing = batch.filter((b) => !b.snapshot).map((b) => b.referenceNumber);
    const rows: InvoiceSnapshot[] = [...inMemory, ...(missing.length ? await this.invoices.loadForProcessing(missing) : [])];
    const now = this.clock.date();
    const outcomes: InvoiceOutcome[] = [];
    const candidates: (InvoiceOutcome & { sessionReference: string })[] = [];
    // The checks themselves (XSD and all) run for the whole batch at once, in the worker thread(s).
    const prepared: { row: InvoiceSnapshot; session: SessionContext; request: CheckRequest }[] = [];
    for (const row of rows) {
      if (!row.content) outcomes.push({ ...this.baseOutcome(row), status: INVOICE_STATUS.decryption });
      else prepared.push(await this.prepare(row, row.content, now));
    }
    const checked = await this.checker.check(prepared.map((p) => p.request));
    prepared.forEach(({ row, session }, i) => {
      const outcome = this.decide(row, session, checked[i], now);
      if (outcome.status.code === 200) candidates.push({ ...outcome, sessionReference: row.session_reference });
      else outcomes.push(outcome);
    });
    const clashes = await this.invoices.claimDuplicateKeys(
      candidates.map((c) => ({
        sellerNip: c.sellerNip ?? '',
        invoiceType: c.invoiceType ?? '',
        invoiceNumber: c.invoiceNumber ?? '',
        ksefNumber: c.ksefNumber ?? '',
        sessionReference: c.sessionReference,
        invoiceReference: c.referenceNumber,
      })),
    );
    for (const c of candidates) {
      const original = clashes.get(c.referenceNumber);
      if (!original) {
        outcomes.push(c);
        continue;
      }
      outcomes.push({
        ...c,
        ksefNumber: undefined,
        acquisitionDate: undefined,
        permanentStorageDate: undefined,
        status: {
          ...INVOICE_STATUS.duplicate,
          details: [`Duplikat faktury. Faktura o numerze KSeF: ${original.ksefNumber} została już prawidłowo przesłana do systemu w sesji: ${original.sessionReference}`],
          extensions: { originalSessionReferenceNumber: original.sessionReference, originalKsefNumber: original.ksefNumber },
        },
      });
    }
    await this.invoices.saveOutcomes(outcomes);
    for (const o of outcomes) this.metrics.invoicesProcessed.inc({ status_code: String(o.status.code) });
    for (const session of new Set(rows.map((r) => r.session_reference))) void this.sessions.tryFinalize(session);
  }

  private baseOutcome(row: InvoiceSnapshot): InvoiceOutcome {
    return { referenceNumber: row.reference_number, status: INVOICE_STATUS.unknown, invoicingMode: row.offline_mode ? 'Offline' : 'Online' };
  }

  /** What the checks need of the session and its limits (state stays in this thread). */
  private async prepare(row: InvoiceSnapshot, content: Buffer, now: Date): Promise<{ row: InvoiceSnapshot; session: SessionContext; request: CheckRequest }> {
    const session = await this.sessions.contextOf(row.session_reference);
    const limits = (await this.limits.forContext(session.contextType, session.contextValue))[session.type === 'Batch' ? 'batchSession' : 'onlineSession'];
    const options = {
      production: this.settings.mode === 'production',
      maxSizeBytes: limits.maxInvoiceSizeInMB * 1_000_000,
      maxSizeWithAttachmentBytes: limits.maxInvoiceWithAttachmentSizeInMB * 1_000_000,
      // Attachments need the NIP's permission and come only by batch, or interactively as an offline technical correction.
      attachmentsAllowed: (await this.limits.attachmentsAllowed(session.contextValue)) && (session.type === 'Batch' || (row.offline_mode && Boolean(row.hash_of_corrected))),
      now,
    };
    return { row, session, request: { content, systemCode: row.form_code.systemCode, options } };
  }

  /** The outcome of a checked invoice: the check's status, 410 for another seller, or 200 with its KSeF number. */
  private decide(row: InvoiceSnapshot, session: SessionContext, checked: CheckResult, now: Date): InvoiceOutcome {
    const base = this.baseOutcome(row);
    if (!checked.ok) return { ...base, status: checked.status };
    const f = checked.fields;
    if (session.contextType === 'Nip' && f.sellerNip !== session.contextValue) {
      return { ...base, status: { code: 410, description: 'Nieprawidłowy zakres uprawnień', details: [`Brak uprawnień do wystawienia faktury sprzedawcy ${f.sellerNip} w kontekście ${session.contextValue}`] } };
    }
    // Automatic offline: an "online" invoice whose issue day is before the day it reached KSeF counts as offline.
    const invoicingDay = new Date(row.invoicing_date).toISOString().slice(0, 10);
    const mode = row.offline_mode || (f.issueDate !== undefined && f.issueDate < invoicingDay) ? 'Offline' : 'Online';
    return {
      ...base,
      status: INVOICE_STATUS.success,
      ksefNumber: generateKsefNumber(f.sellerNip ?? '0000000000', now, randomPool.hex(6)),
      invoiceNumber: f.invoiceNumber,
      sellerNip: f.sellerNip,
      invoiceType: f.invoiceType,
      issueDate: f.issueDate,
      acquisitionDate: now,
      permanentStorageDate: now,
      invoicingMode: mode,
      metadata: {
        sellerName: f.sellerName,
        buyerNip: f.buyerNip,
        buyerName: f.buyerName,
        currency: f.currency,
        gross: f.gross,
        net: f.net,
        vat: f.vat,
        hasAttachment: f.attachment !== undefined,
        schema: checked.schema,
      },
    };
  }
}
