import type { KsefClient } from '@ksef-bridge/ksef-client';
import type { Logger } from '@ksef-bridge/observability';

/**
 * What a batch session means for the invoices of its package:
 * - `in-ksef`: closed (processing or processed): KSeF has the package; the status-poller follows each invoice;
 * - `not-processed`: KSeF will never process it (a package error or cancelled: upload window passed): send again;
 * - `undecided`: still open and closing it did not work now, or a status we do not know: wait, never send again.
 */
export type BatchSessionState = 'in-ksef' | 'not-processed' | 'undecided';

/** Batch session statuses (API.md §4): 100 started (open), 150 processing, 200 processed, 445 no valid invoices. */
const OPEN = 100;
const CLOSED_IN_KSEF = new Set([150, 200, 445]);
/** 405 package element verification, 415 key decryption, 420 invoice limit, 430 decompression, 435 part decryption, 440 cancelled, 500 unknown. */
const NEVER_PROCESSED = new Set([405, 415, 420, 430, 435, 440, 500]);

/** KSeF reference numbers name the session type: `YYYYMMDD-SB-…` is a batch session, `…-SO-…` an interactive one (API.md §1). */
export function isBatchSessionRef(referenceNumber: string): boolean {
  return referenceNumber.slice(8, 12) === '-SB-';
}

export function batchStateOf(statusCode: number): BatchSessionState {
  if (CLOSED_IN_KSEF.has(statusCode)) return 'in-ksef';
  if (NEVER_PROCESSED.has(statusCode)) return 'not-processed';
  return 'undecided';
}

/**
 * Resolves batch sessions whose close may or may not have happened, by their status (never by sending again). A
 * session recorded in send jobs had every part uploaded before it was recorded, so one still open (100) is closed
 * here: KSeF then processes the package once. Final answers are cached: the jobs of one package ask one after another.
 */
export class BatchSessionProbe {
  private readonly known = new Map<string, BatchSessionState>();

  constructor(private readonly logger: Logger) {}

  async resolve(client: KsefClient, sessionReferenceNumber: string): Promise<BatchSessionState> {
    const cached = this.known.get(sessionReferenceNumber);
    if (cached) return cached;
    let code = (await client.getSessionStatus(sessionReferenceNumber)).status.code;
    if (code === OPEN) {
      try {
        await client.closeBatchSession(sessionReferenceNumber);
        this.logger.info({ session: sessionReferenceNumber }, 'batch session found open after an unanswered close: closed it');
      } catch (err) {
        // Someone else closed it meanwhile, the upload window passed (21208), or KSeF did not answer: the status says.
        this.logger.warn({ err, session: sessionReferenceNumber }, 'closing a found-open batch session failed; reading its status');
      }
      code = (await client.getSessionStatus(sessionReferenceNumber)).status.code;
    }
    const state = batchStateOf(code);
    if (state === 'undecided') this.logger.warn({ session: sessionReferenceNumber, status: code }, 'batch session status does not decide yet');
    else this.remember(sessionReferenceNumber, state);
    return state;
  }

  private remember(ref: string, state: BatchSessionState): void {
    if (this.known.size >= 1_000) this.known.delete(this.known.keys().next().value as string);
    this.known.set(ref, state);
  }
}
