import { PermanentError } from '@ksef-bridge/errors';

/** Every state an invoice can be in. Order follows the happy path, then the side branches. */
export const INVOICE_STATES = [
  'RECEIVED',
  'INVALID',
  'QUEUED',
  'SENT',
  'PROCESSING',
  'ACCEPTED',
  'REJECTED',
  'TECHNICAL_ERROR',
  'ESCALATED',
  'OFFLINE',
  'CANCELLED',
] as const;

export type InvoiceState = (typeof INVOICE_STATES)[number];

/** The names ERP users and accountants see (the wording KSeF integrations in Poland use). */
export const INVOICE_STATE_LABELS_PL: Readonly<Record<InvoiceState, string>> = {
  RECEIVED: 'odebrana',
  INVALID: 'niepoprawna (walidacja lokalna)',
  QUEUED: 'oczekuje wysyłki',
  SENT: 'wysłana',
  PROCESSING: 'w trakcie przetwarzania',
  ACCEPTED: 'przyjęta',
  REJECTED: 'odrzucona logicznie',
  TECHNICAL_ERROR: 'błąd techniczny',
  ESCALATED: 'eskalowana (wymaga interwencji)',
  OFFLINE: 'w trybie offline',
  CANCELLED: 'anulowana',
};

/**
 * Allowed transitions. Why each branch exists:
 * - RECEIVED → QUEUED | INVALID: the validator's verdict; CANCELLED: the ERP withdraws before sending.
 * - QUEUED → SENT: the sender handed it to KSeF; OFFLINE: KSeF unavailable, issued in offline mode;
 *   TECHNICAL_ERROR: sending failed for a technical reason; CANCELLED: withdrawn before sending;
 *   REJECTED: KSeF refused the send itself (documented 4xx exception codes, so it never received the invoice);
 *   ESCALATED: the sender cannot send it (attempts exhausted, credentials refused) and a person must act.
 * - SENT / PROCESSING → ACCEPTED | REJECTED (final KSeF verdict) | TECHNICAL_ERROR; SENT → PROCESSING (KSeF status 150);
 *   ESCALATED: no final status within the deadline.
 * - TECHNICAL_ERROR → QUEUED (retry) | ESCALATED (retries exhausted).
 * - OFFLINE → SENT (sent once KSeF is back) | ESCALATED | REJECTED (KSeF refused the send itself, as from QUEUED).
 * - ESCALATED → QUEUED (a person retries an online invoice) | OFFLINE (a person retries an offline invoice: it keeps
 *   its offline marking and deadline) | CANCELLED (a person gives up) | ACCEPTED / REJECTED (KSeF's verdict arrived
 *   after the status-poller escalated for want of one; it keeps watching escalated submissions).
 * - CANCELLED → ACCEPTED: KSeF accepted an invoice after a person cancelled it (escalated, then cancelled or replaced
 *   by a correction). KSeF's acceptance is the legal fact: the invoice exists, so intake records it rather than keep
 *   calling it cancelled; the cancellation stays in the history. A late rejection leaves CANCELLED as it is.
 * ACCEPTED, REJECTED and INVALID are final: the invoice has its explained outcome. CANCELLED is final for every
 * actor but KSeF's late acceptance.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<InvoiceState, readonly InvoiceState[]>> = {
  RECEIVED: ['QUEUED', 'INVALID', 'CANCELLED'],
  INVALID: [],
  QUEUED: ['SENT', 'OFFLINE', 'TECHNICAL_ERROR', 'CANCELLED', 'REJECTED', 'ESCALATED'],
  SENT: ['PROCESSING', 'ACCEPTED', 'REJECTED', 'TECHNICAL_ERROR', 'ESCALATED'],
  PROCESSING: ['ACCEPTED', 'REJECTED', 'TECHNICAL_ERROR', 'ESCALATED'],
  ACCEPTED: [],
  REJECTED: [],
  TECHNICAL_ERROR: ['QUEUED', 'ESCALATED'],
  ESCALATED: ['QUEUED', 'OFFLINE', 'CANCELLED', 'ACCEPTED', 'REJECTED'],
  OFFLINE: ['SENT', 'ESCALATED', 'REJECTED'],
  CANCELLED: ['ACCEPTED'],
};

/** The state every invoice starts in. */
export const INITIAL_INVOICE_STATE: InvoiceState = 'RECEIVED';

export function isInvoiceState(value: string): value is InvoiceState {
  return (INVOICE_STATES as readonly string[]).includes(value);
}

/**
 * States in which the invoice has its final, explained outcome. CANCELLED is one although KSeF's late acceptance can
 * still lead out of it: nothing in our system acts on a cancelled invoice any more (no send, no retry).
 */
export const FINAL_INVOICE_STATES: ReadonlySet<InvoiceState> = new Set<InvoiceState>(['ACCEPTED', 'REJECTED', 'INVALID', 'CANCELLED']);

/** True for states in which the invoice has its final, explained outcome (FINAL_INVOICE_STATES). */
export function isFinalState(state: InvoiceState): boolean {
  return FINAL_INVOICE_STATES.has(state);
}

export function canTransition(from: InvoiceState, to: InvoiceState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** Every allowed (from, to) pair, e.g. to mirror the table in a database constraint. */
export function allowedTransitionPairs(): Array<[InvoiceState, InvoiceState]> {
  return INVOICE_STATES.flatMap((from) => ALLOWED_TRANSITIONS[from].map((to): [InvoiceState, InvoiceState] => [from, to]));
}

/** A transition the state machine does not allow: a programming or ordering error, never retried. */
export class IllegalTransitionError extends PermanentError {
  constructor(
    readonly from: InvoiceState,
    readonly to: InvoiceState,
  ) {
    super('ILLEGAL_STATE_TRANSITION', `invoice cannot go from ${from} to ${to}`, { details: { from, to } });
  }
}

/** Throws IllegalTransitionError unless `from → to` is allowed. */
export function assertTransition(from: InvoiceState, to: InvoiceState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
