import type { KsefClient, SessionInvoiceStatusResponse } from '@ksef-bridge/ksef-client';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import type { Logger } from '@ksef-bridge/observability';
import type { UpoObservation, VerdictObservation } from '../domain/poll-decision';
import { failureOf, verdictOf } from '../ksef/ksef-observations';
import { checkUpo } from '../ksef/upo-check';
import type { PollRow } from './poll-plan.repository';

export interface LookupMetrics {
  /** One KSeF call by operation (`list-page`, `invoice-status`, `session-status`, `upo`). */
  call(operation: string): void;
  /** Per-invoice status calls a session listing made unnecessary. */
  saved(calls: number): void;
}

/** What KSeF said about one row, with the invoice reference number learned on the way (batch invoices). */
export interface RowObservation {
  observation: VerdictObservation;
  invoiceReferenceNumber?: string;
}

/**
 * The KSeF reads of the poller. Rows of one session due together are answered by ONE paginated session listing
 * (`GET /sessions/{ref}/invoices`, 1000 per page) instead of one `GET …/invoices/{ref}` each; a batch invoice has no
 * reference number until KSeF lists it, so it is always found by its hash in the listing.
 */
/** The limiter's view of a context's budget (KsefClients.waitMs). */
export interface CallBudget {
  waitMs(nip: string, group: 'invoiceStatus' | 'sessionInvoiceList' | 'sessionMisc', calls?: number): number;
}

/** A read that could not start within this long is not waited for: its rows come back after the wait (no poll counted). */
const MAX_BUDGET_WAIT_MS = 1_000;

export class StatusLookup {
  constructor(
    private readonly budget: CallBudget,
    private readonly validator: KsefXmlValidator,
    private readonly metrics: LookupMetrics,
    private readonly logger: Logger,
    /** A session with at least this many due rows is listed rather than asked per invoice. */
    private readonly listMinRows: number,
  ) {}

  /** Observations for rows that share one context and session. */
  async verdicts(client: KsefClient, sessionReferenceNumber: string, rows: readonly PollRow[]): Promise<Map<string, RowObservation>> {
    const result = new Map<string, RowObservation>();
    // Listing by default once enough rows share the session (and always for batch rows, which only a listing finds);
    // but when one limit group is exhausted and the other is not, the read goes where the budget is.
    const nip = rows[0].contextNip;
    const listWait = this.budget.waitMs(nip, 'sessionInvoiceList');
    const perInvoiceWait = this.budget.waitMs(nip, 'invoiceStatus', rows.length);
    const list = rows.some((r) => !r.invoiceReferenceNumber) || (rows.length >= this.listMinRows ? listWait <= perInvoiceWait : listWait < perInvoiceWait);
    const wait = list ? listWait : this.budget.waitMs(nip, 'invoiceStatus');
    if (wait > MAX_BUDGET_WAIT_MS) {
      for (const row of rows) result.set(row.invoiceId, { observation: { kind: 'rate-limited', retryAfterMs: wait } });
      return result;
    }
    if (!list) {
      for (const row of rows) {
        try {
          this.metrics.call('invoice-status');
          const status = await client.getInvoiceStatus(sessionReferenceNumber, row.invoiceReferenceNumber as string);
          result.set(row.invoiceId, { observation: { kind: 'verdict', verdict: verdictOf(status, sessionReferenceNumber) }, invoiceReferenceNumber: status.referenceNumber });
        } catch (error) {
          result.set(row.invoiceId, { observation: failureOf(error) });
        }
      }
      return result;
    }
    let listed: Listing;
    try {
      listed = await this.list(client, sessionReferenceNumber);
    } catch (error) {
      const failure = failureOf(error);
      for (const row of rows) result.set(row.invoiceId, { observation: failure });
      return result;
    }
    this.metrics.saved(Math.max(0, rows.length - listed.pages));
    const missing = rows.filter((row) => !listed.find(row));
    let sessionFinal: { code: number; description: string } | undefined;
    if (missing.length > 0) {
      try {
        // Rows not listed: is the session past processing? Then list again (an invoice may have appeared between the
        // listing and the status) and whatever is still missing never will be listed.
        this.metrics.call('session-status');
        const session = await client.getSessionStatus(sessionReferenceNumber);
        if (![100, 150, 170].includes(session.status.code)) {
          listed = await this.list(client, sessionReferenceNumber);
          sessionFinal = { code: session.status.code, description: session.status.description };
        }
      } catch (error) {
        this.logger.warn({ session: sessionReferenceNumber, code: failureOf(error).kind }, 'session status unavailable; unlisted invoices are polled again');
      }
    }
    for (const row of rows) {
      const status = listed.find(row);
      if (status) result.set(row.invoiceId, { observation: { kind: 'verdict', verdict: verdictOf(status, sessionReferenceNumber) }, invoiceReferenceNumber: status.referenceNumber });
      else result.set(row.invoiceId, { observation: sessionFinal ? { kind: 'session-final', ...sessionFinal } : { kind: 'not-found' } });
    }
    return result;
  }

  /** Every invoice of a session (1,000 per page), by reference number and by hash. */
  private async list(client: KsefClient, sessionReferenceNumber: string): Promise<Listing> {
    const byReference = new Map<string, SessionInvoiceStatusResponse>();
    const byHash = new Map<string, SessionInvoiceStatusResponse>();
    let pages = 0;
    let continuationToken: string | undefined;
    do {
      this.metrics.call('list-page');
      pages += 1;
      const page = await client.listSessionInvoices(sessionReferenceNumber, { pageSize: 1000, continuationToken });
      for (const invoice of page.invoices) {
        byReference.set(invoice.referenceNumber, invoice);
        // A hash can appear twice in one session (a re-send answered 440): the original entry wins.
        const seen = byHash.get(invoice.invoiceHash);
        if (!seen || invoiceStatusRank(invoice) > invoiceStatusRank(seen)) byHash.set(invoice.invoiceHash, invoice);
      }
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
    return { pages, find: (row) => (row.invoiceReferenceNumber ? byReference.get(row.invoiceReferenceNumber) : byHash.get(row.invoiceHash)) };
  }

  /** Fetches and checks the UPO of an accepted invoice (by KSeF number, in the session that holds the original). */
  async upo(client: KsefClient, row: PollRow, upoSessionReferenceNumber: string, ksefNumber: string): Promise<{ observation: UpoObservation; acquisitionDate?: string }> {
    // UPO reads share `sessionMisc` (production: 120/min, 1,200/h per context): past that, come back later.
    const wait = this.budget.waitMs(row.contextNip, 'sessionMisc');
    if (wait > MAX_BUDGET_WAIT_MS) return { observation: { kind: 'rate-limited', retryAfterMs: wait } };
    let xml: string;
    try {
      this.metrics.call('upo');
      xml = await client.getInvoiceUpoByKsefNumber(upoSessionReferenceNumber, ksefNumber);
    } catch (error) {
      return { observation: failureOf(error) };
    }
    const check = checkUpo(this.validator, xml, ksefNumber);
    if (!check.valid) {
      this.logger.error({ invoiceId: row.invoiceId, ksefNumber, problem: check.problem }, 'KSeF returned a UPO that is not valid: not stored, fetched again');
      return { observation: { kind: 'invalid', problem: check.problem } };
    }
    if (check.teDeviation) this.logger.info({ invoiceId: row.invoiceId }, "UPO carries TE's receiver name (known deviation from the v4-3 schema): stored as received");
    return { observation: { kind: 'upo', xml }, acquisitionDate: check.acquisitionDate };
  }
}

interface Listing {
  pages: number;
  find(row: PollRow): SessionInvoiceStatusResponse | undefined;
}

/** Prefer an accepted entry over a duplicate, and a duplicate over anything pending or rejected. */
function invoiceStatusRank(s: SessionInvoiceStatusResponse): number {
  if (s.status.code === 200) return 3;
  if (s.status.code === 440) return 2;
  return s.status.code === 100 || s.status.code === 150 ? 0 : 1;
}
