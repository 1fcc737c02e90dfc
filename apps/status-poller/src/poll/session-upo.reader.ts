import type { KsefClient } from '@ksef-bridge/ksef-client';
import type { KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import type { Logger } from '@ksef-bridge/observability';
import { failureOf } from '../ksef/ksef-observations';
import { parseSessionUpo, sessionUpoEntryFor, type SessionUpoEntry } from '../ksef/session-upo';
import type { CallBudget, LookupMetrics } from './status-lookup';

/** What the session UPO can do for the accepted invoices of one session. */
export type SessionUpo =
  /** Pages fetched and validated: every listed invoice's own UPO document, by KSeF number. */
  | { kind: 'ready'; entries: Map<string, SessionUpoEntry> }
  /** The session is still open (an interactive session): no session UPO yet, per-invoice UPOs are the only way. */
  | { kind: 'open' }
  /** Closed, UPO being generated (150/170): the rows wait (backoff) instead of spending per-invoice calls. */
  | { kind: 'not-ready'; code: number }
  /** No usable session UPO (no pages, a failed session, an invalid page): per-invoice UPOs as before. */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'failed'; code: string; message: string };

/** A read that could not start within this long is not waited for (same rule as StatusLookup). */
const MAX_BUDGET_WAIT_MS = 1_000;
/** Parsed session UPOs are kept this long (a 10,000-invoice session is confirmed over many rounds of 500 rows). */
const CACHE_TTL_MS = 10 * 60_000;
const CACHE_SESSIONS = 16;

/**
 * Reads a closed session's UPO once for all its invoices: `GET /sessions/{ref}` (upo.pages) and `GET
 * /sessions/{ref}/upo/{upoRef}` per page (up to 10,000 invoices each), all in `sessionMisc`. A validated session UPO
 * is immutable, so it is cached in memory per session (TTL, a few sessions) across rounds; a cache miss after a
 * restart only costs the same 1 + pages calls again.
 */
export class SessionUpoReader {
  private readonly cache = new Map<string, { at: number; entries: Map<string, SessionUpoEntry> }>();

  constructor(
    private readonly budget: CallBudget,
    private readonly validator: KsefXmlValidator,
    private readonly metrics: LookupMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async read(client: KsefClient, nip: string, sessionReferenceNumber: string): Promise<SessionUpo> {
    const cached = this.cache.get(sessionReferenceNumber);
    if (cached && this.now() - cached.at < CACHE_TTL_MS) return { kind: 'ready', entries: cached.entries };
    let wait = this.budget.waitMs(nip, 'sessionMisc');
    if (wait > MAX_BUDGET_WAIT_MS) return { kind: 'rate-limited', retryAfterMs: wait };
    try {
      this.metrics.call('session-status');
      const status = await client.getSessionStatus(sessionReferenceNumber);
      const code = status.status.code;
      if (code === 100) return { kind: 'open' };
      if (code === 150 || code === 170) return { kind: 'not-ready', code };
      const pages = status.upo?.pages ?? [];
      if (code !== 200 || pages.length === 0) return { kind: 'unavailable', reason: `session status ${code}, ${pages.length} UPO page(s)` };
      wait = this.budget.waitMs(nip, 'sessionMisc', pages.length);
      if (wait > MAX_BUDGET_WAIT_MS) return { kind: 'rate-limited', retryAfterMs: wait };
      const fetched: { upoReferenceNumber: string; xml: string }[] = [];
      for (const page of pages) {
        this.metrics.call('session-upo-page');
        fetched.push({ upoReferenceNumber: page.referenceNumber, xml: await client.getSessionUpo(sessionReferenceNumber, page.referenceNumber) });
      }
      const parsed = parseSessionUpo(this.validator, sessionReferenceNumber, fetched);
      if (!parsed.valid) {
        this.logger.error({ session: sessionReferenceNumber, problem: parsed.problem }, 'KSeF returned a session UPO that is not valid: not used, per-invoice UPOs are fetched instead');
        return { kind: 'unavailable', reason: parsed.problem };
      }
      this.remember(sessionReferenceNumber, parsed.entries);
      return { kind: 'ready', entries: parsed.entries };
    } catch (error) {
      return failureOf(error);
    }
  }

  /** True when the session's UPO is read and still cached (using it costs no call). */
  isCached(sessionReferenceNumber: string): boolean {
    const cached = this.cache.get(sessionReferenceNumber);
    return !!cached && this.now() - cached.at < CACHE_TTL_MS;
  }

  /** The invoice's own UPO document from a ready session UPO, checked like an invoice UPO; undefined if not listed. */
  entry(sessionUpo: Extract<SessionUpo, { kind: 'ready' }>, ksefNumber: string): ReturnType<typeof sessionUpoEntryFor> {
    return sessionUpoEntryFor(this.validator, sessionUpo.entries, ksefNumber);
  }

  private remember(sessionReferenceNumber: string, entries: Map<string, SessionUpoEntry>): void {
    this.cache.delete(sessionReferenceNumber);
    this.cache.set(sessionReferenceNumber, { at: this.now(), entries });
    // Map order is insertion order: the first key is the least recently stored session.
    while (this.cache.size > CACHE_SESSIONS) this.cache.delete(this.cache.keys().next().value as string);
  }
}
