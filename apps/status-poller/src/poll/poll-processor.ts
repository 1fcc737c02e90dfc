import type { KsefClient } from '@ksef-bridge/ksef-client';
import type { Logger } from '@ksef-bridge/observability';
import { decideAfterUpoFetch, decideAfterVerdictPoll, decideAfterWatchedUpoFetch, decideAfterWatchPoll, type PollPolicy, type UpoObservation, type Verdict } from '../domain/poll-decision';
import { WATCHED_ESCALATION_CODES } from '../domain/poll-plan';
import type { KsefClients } from '../ksef/ksef-clients';
import { inInvoiceTrace } from './invoice-trace';
import type { OutcomeWriter } from './outcome-writer';
import type { PollRow } from './poll-plan.repository';
import type { SessionUpo, SessionUpoReader } from './session-upo.reader';
import type { RowObservation, StatusLookup } from './status-lookup';

export interface PollMetrics {
  /** One poll's result: pending, not-found, accepted, duplicate, rejected, cancelled, rate-limited, failed, upo, upo-missing. */
  poll(outcome: string): void;
  /** A row's final or late outcome: accepted, duplicate, rejected, escalated, upo-late, upo-delivered-late, late-verdict. */
  outcome(outcome: string): void;
}

type Accepted = Extract<Verdict, { kind: 'accepted' }>;

/** When the session UPO replaces per-invoice UPO reads. */
export interface SessionUpoPolicy {
  reader: SessionUpoReader;
  /** Invoices of one session awaiting a UPO from which the session UPO is read (a batch session: always). */
  minRows: number;
  /** Open rows (any instance, any round) whose UPO is in the session: asked when this unit alone is below `minRows`. */
  openRowsInSession(nip: string, sessionReferenceNumber: string): Promise<number>;
}

/**
 * Resolves the claimed rows of ONE session (same context): asks KSeF once for all of them (StatusLookup), then
 * decides and records each row in its own transaction, in the row's trace. Accepted invoices get their UPO fetched
 * at once; rows past their verdict already (UPO_WAITING, UPO_LATE) only fetch the UPO.
 */
export class PollProcessor {
  constructor(
    private readonly clients: KsefClients,
    private readonly lookup: StatusLookup,
    private readonly writer: OutcomeWriter,
    private readonly policy: PollPolicy,
    private readonly metrics: PollMetrics,
    private readonly logger: Logger,
    private readonly sessionUpo?: SessionUpoPolicy,
  ) {}

  /** Rows waiting for a verdict, all of one context and session. */
  async verdicts(nip: string, sessionReferenceNumber: string, rows: readonly PollRow[]): Promise<void> {
    const client = this.clients.client(nip);
    const [first, ...others] = rows;
    const observed = await inInvoiceTrace(
      'status-poller poll session',
      first.traceparent,
      { 'ksef.session_reference_number': sessionReferenceNumber, 'ksef.poller.invoices': rows.length },
      () => this.lookup.verdicts(client, sessionReferenceNumber, rows),
      others.map((r) => r.traceparent),
    );
    // Invoices accepted in THIS session need its UPO (a duplicate's is the original session's: per invoice).
    const needUpo = rows.filter((r) => {
      const o = observed.get(r.invoiceId)?.observation;
      return o?.kind === 'verdict' && o.verdict.kind === 'accepted' && o.verdict.upoSessionReferenceNumber === sessionReferenceNumber;
    });
    const sessionUpo = await this.readSessionUpo(client, nip, sessionReferenceNumber, needUpo);
    for (const row of rows) {
      await this.guard(row, () =>
        inInvoiceTrace('status-poller resolve invoice', row.traceparent, { 'ksef.invoice_id': row.invoiceId, 'ksef.session_reference_number': sessionReferenceNumber }, () =>
          this.resolveVerdict(client, row, observed.get(row.invoiceId) as RowObservation, sessionUpo),
        ),
      );
    }
  }

  /** Rows whose verdict is known (UPO_WAITING, UPO_LATE), all of one context and UPO session: fetch their UPOs. */
  async upos(rows: readonly PollRow[]): Promise<void> {
    const first = rows[0];
    const client = this.clients.client(first.contextNip);
    const upoSession = first.upoSessionReferenceNumber ?? first.sessionReferenceNumber;
    const sessionUpo = await this.readSessionUpo(client, first.contextNip, upoSession, rows);
    for (const row of rows) {
      await this.guard(row, () =>
        inInvoiceTrace('status-poller fetch upo', row.traceparent, { 'ksef.invoice_id': row.invoiceId, 'ksef.ksef_number': row.ksefNumber ?? '' }, async () => {
          const verdict: Accepted = {
            kind: 'accepted',
            ksefNumber: row.ksefNumber as string,
            acquisitionDate: row.acquisitionDate?.toISOString(),
            duplicate: row.duplicate,
            upoSessionReferenceNumber: row.upoSessionReferenceNumber ?? row.sessionReferenceNumber,
          };
          await this.fetchUpoAndRecord(client, row, verdict, row.invoiceReferenceNumber as string, { polls: row.polls, acceptedAt: row.acceptedAt ?? new Date(), late: row.state === 'UPO_LATE' }, sessionUpo);
        }),
      );
    }
  }

  /** A row whose verdict is known: fetch its UPO (per invoice, or from the session UPO when that pays). */
  async upo(row: PollRow): Promise<void> {
    await this.upos([row]);
  }

  /**
   * The session UPO, read once for `rows` when per-invoice reads would be expensive: a batch session, or at least
   * `minRows` open invoices of the session. Undefined otherwise (per-invoice UPOs, as before).
   */
  private async readSessionUpo(client: KsefClient, nip: string, sessionReferenceNumber: string, rows: readonly PollRow[]): Promise<SessionUpo | undefined> {
    if (!this.sessionUpo || rows.length === 0) return undefined;
    const { reader, minRows } = this.sessionUpo;
    // Rows of one session trickle in over several rounds: the unit, then the session's open rows in the table, count;
    // a session UPO already read (cached) costs nothing.
    const worth =
      rows.some((r) => r.mode === 'batch') ||
      rows.length >= minRows ||
      reader.isCached(sessionReferenceNumber) ||
      (await this.sessionUpo.openRowsInSession(nip, sessionReferenceNumber).catch(() => 0)) >= minRows;
    return worth ? reader.read(client, nip, sessionReferenceNumber) : undefined;
  }

  private async resolveVerdict(client: KsefClient, row: PollRow, observed: RowObservation, sessionUpo?: SessionUpo): Promise<void> {
    const { observation } = observed;
    const invoiceReferenceNumber = observed.invoiceReferenceNumber ?? row.invoiceReferenceNumber ?? undefined;
    this.metrics.poll(observation.kind === 'verdict' ? (observation.verdict.kind === 'accepted' && observation.verdict.duplicate ? 'duplicate' : observation.verdict.kind) : observation.kind);
    // A watched escalation (KSEF_NO_VERDICT) only waits for the verdict: no deadline, no second escalation.
    const watched = row.state === 'ESCALATED';
    const decision = watched
      ? decideAfterWatchPoll(observation, this.policy)
      : decideAfterVerdictPoll({ polls: row.polls, submittedAt: row.submittedAt, processingEmitted: row.processingEmitted }, observation, new Date(), this.policy);
    if (watched && (decision.action === 'accept' || decision.action === 'reject')) {
      this.metrics.outcome('late-verdict');
      this.logger.warn({ invoiceId: row.invoiceId, verdict: decision.action }, 'KSeF gave its verdict on an escalated invoice: recorded and announced');
    }
    switch (decision.action) {
      case 'accept':
        await this.fetchUpoAndRecord(client, row, decision.verdict, invoiceReferenceNumber as string, { polls: 0, acceptedAt: new Date(), late: false }, decision.verdict.upoSessionReferenceNumber === row.sessionReferenceNumber ? sessionUpo : undefined);
        return;
      case 'reject':
        await this.writer.rejected(row, { ...decision.verdict, invoiceReferenceNumber });
        this.metrics.outcome('rejected');
        this.logger.info({ invoiceId: row.invoiceId, code: decision.verdict.code }, 'KSeF rejected the invoice in processing');
        return;
      case 'escalate':
        await this.escalate(row, decision, invoiceReferenceNumber);
        return;
      case 'reschedule':
        await this.writer.reschedule(row, { ...decision, invoiceReferenceNumber });
        return;
      default:
        throw new Error(`unexpected decision ${decision.action} for a verdict poll`);
    }
  }

  private async fetchUpoAndRecord(client: KsefClient, row: PollRow, verdict: Accepted, invoiceReferenceNumber: string, plan: { polls: number; acceptedAt: Date; late: boolean }, sessionUpo?: SessionUpo): Promise<void> {
    const fetched = this.fromSessionUpo(row, verdict.ksefNumber, sessionUpo) ?? (await this.lookup.upo(client, row, verdict.upoSessionReferenceNumber, verdict.ksefNumber));
    this.metrics.poll(fetched.observation.kind === 'upo' ? 'upo' : 'upo-missing');
    // A watched escalation that has its number (a duplicate whose date was unknown) waits only for the UPO.
    const watchedUpo = row.state === 'ESCALATED' && row.ksefNumber !== null;
    const decision = watchedUpo ? decideAfterWatchedUpoFetch(fetched.observation, this.policy) : decideAfterUpoFetch(plan, fetched.observation, new Date(), this.policy);
    if (watchedUpo && decision.action === 'store-upo') {
      this.metrics.outcome('late-verdict');
      this.logger.warn({ invoiceId: row.invoiceId, ksefNumber: verdict.ksefNumber }, "the UPO of an escalated duplicate came: its acceptance is recorded and announced");
    }
    const acquisition = verdict.acquisitionDate ?? fetched.acquisitionDate;
    const accepted = (date: string) => ({ ksefNumber: verdict.ksefNumber, acquisitionDate: new Date(date), duplicate: verdict.duplicate, upoSessionReferenceNumber: verdict.upoSessionReferenceNumber, invoiceReferenceNumber });
    // A watched escalation learns its verdict like a WAITING row (no event went out for it yet); one that has its
    // number is only rescheduled (the awaitUpo columns are set already).
    const fromWaiting = row.state === 'WAITING' || (row.state === 'ESCALATED' && !watchedUpo);
    if (decision.action === 'store-upo') {
      if (row.state === 'UPO_LATE') {
        await this.writer.lateUpo(row, decision.xml);
        this.metrics.outcome('upo-delivered-late');
      } else {
        // A valid UPO always names its KSeF number's assignment time, so `acquisition` is set here.
        await this.writer.accepted(row, accepted(acquisition as string), { xml: decision.xml });
        this.metrics.outcome(verdict.duplicate ? 'duplicate' : 'accepted');
      }
    } else if (decision.action === 'upo-late') {
      if (!acquisition) {
        // A duplicate's acquisition date comes only from the original's UPO: without either, nothing can be announced.
        await this.escalate(row, { code: 'KSEF_DUPLICATE_DATE_UNKNOWN', message: `duplicate of ${verdict.ksefNumber}: the original's UPO (which gives its acquisition date) was not available within the UPO wait` }, invoiceReferenceNumber);
        return;
      }
      await this.writer.accepted(row, accepted(acquisition), { lateDelayMs: decision.delayMs, errorCode: decision.errorCode });
      this.metrics.outcome('upo-late');
      this.logger.warn({ invoiceId: row.invoiceId, ksefNumber: verdict.ksefNumber }, 'invoice accepted, its UPO is late: invoice.accepted sent with upoPending; the UPO is still fetched');
    } else if (decision.action === 'reschedule' && fromWaiting) {
      await this.writer.awaitUpo(row, { ...verdict, acquisitionDate: acquisition ? new Date(acquisition) : undefined, invoiceReferenceNumber, delayMs: decision.delayMs, errorCode: decision.errorCode });
    } else if (decision.action === 'reschedule') {
      await this.writer.reschedule(row, decision);
    }
  }

  /**
   * The invoice's UPO evidence from the session UPO, or undefined for the per-invoice read: no session UPO wanted, the
   * session still open, no usable session UPO, or the session UPO does not list the invoice.
   */
  private fromSessionUpo(row: PollRow, ksefNumber: string, sessionUpo?: SessionUpo): { observation: UpoObservation; acquisitionDate?: string } | undefined {
    if (!sessionUpo || !this.sessionUpo) return undefined;
    switch (sessionUpo.kind) {
      case 'ready': {
        const entry = this.sessionUpo.reader.entry(sessionUpo, ksefNumber);
        if (!entry) return undefined;
        if ('problem' in entry) {
          this.logger.error({ invoiceId: row.invoiceId, ksefNumber, problem: entry.problem }, 'the session UPO entry of the invoice is not valid: not stored, fetched again');
          return { observation: { kind: 'invalid', problem: entry.problem } };
        }
        return { observation: { kind: 'upo', xml: entry.xml }, acquisitionDate: entry.acquisitionDate };
      }
      case 'not-ready':
        return { observation: { kind: 'failed', code: 'KSEF_SESSION_UPO_NOT_READY', message: `session closed (status ${sessionUpo.code}), its UPO is being generated` } };
      case 'rate-limited':
        return { observation: { kind: 'rate-limited', retryAfterMs: sessionUpo.retryAfterMs } };
      case 'failed':
        return { observation: { kind: 'failed', code: sessionUpo.code, message: sessionUpo.message } };
      default:
        return undefined;
    }
  }

  private async escalate(row: PollRow, e: { code: string; message: string }, invoiceReferenceNumber?: string): Promise<void> {
    // KSeF has the invoice and only its verdict is missing: keep checking it slowly, so a late verdict is not lost.
    const watchMs = WATCHED_ESCALATION_CODES.has(e.code) ? this.policy.escalatedWatchMs : 0;
    await this.writer.escalated(row, { ...e, invoiceReferenceNumber, watchMs, firstWatchDelayMs: this.policy.escalatedIntervalMs });
    this.metrics.outcome('escalated');
    this.logger.error({ invoiceId: row.invoiceId, nip: row.contextNip, code: e.code }, 'invoice ESCALATED by the status-poller: a person must look at it');
  }

  /** A row whose recording failed (database down, lease lost) is left to its lease: taken up again later, nothing lost. */
  private async guard(row: PollRow, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn({ err, invoiceId: row.invoiceId }, 'poll outcome not recorded; the row is polled again after its lease');
    }
  }
}
