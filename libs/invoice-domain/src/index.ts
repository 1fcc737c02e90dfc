// The invoice lifecycle as pure code: states, Polish labels, allowed transitions. No Nest, TypeORM or Kafka.
export {
  INVOICE_STATES,
  INVOICE_STATE_LABELS_PL,
  ALLOWED_TRANSITIONS,
  INITIAL_INVOICE_STATE,
  isInvoiceState,
  isFinalState,
  FINAL_INVOICE_STATES,
  canTransition,
  allowedTransitionPairs,
  assertTransition,
  IllegalTransitionError,
} from './lib/invoice-state';
export type { InvoiceState } from './lib/invoice-state';
