import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';

export const FINAL_STATES = ['ACCEPTED', 'REJECTED', 'INVALID', 'CANCELLED'];

export interface MixedInvoice {
  erpDocumentId: string;
  xml: string;
  door: 'http' | 'kafka';
  expectedState: 'ACCEPTED' | 'INVALID' | 'REJECTED';
  /** Submitted more than once (the ERP retried): still one invoice. */
  resubmitted: boolean;
}

/**
 * A deterministic mix of `total` ERP submissions over `contexts` (seller NIPs): about 80 % valid, 10 % failing local
 * validation (a buyer NIP with a wrong checksum), 10 % repeats of an earlier valid submission with the same
 * content (an ERP retrying). Even-numbered documents use the HTTP door, odd ones the Kafka door; a repeat uses the
 * other door than its original, because the two doors share one idempotency key (tenant, ERP document id).
 */
export function buildMix(total: number, contexts: string[], runId = Date.now().toString(36)): MixedInvoice[] {
  const mix: MixedInvoice[] = [];
  const unique: MixedInvoice[] = [];
  for (let i = 0; mix.length < total; i++) {
    const kind = i % 10;
    const valid = unique.filter((u) => u.expectedState === 'ACCEPTED');
    if (kind === 9 && valid.length > 0) {
      const original = valid[(i * 7) % valid.length];
      original.resubmitted = true;
      mix.push({ ...original, door: original.door === 'http' ? 'kafka' : 'http' });
      continue;
    }
    const sellerNip = contexts[i % contexts.length];
    const erpDocumentId = `E2E-${runId}-${i}`;
    const invalid = kind === 4;
    const xml = buildSampleInvoice({ sellerNip, buyerNip: invalid ? '5265877636' : '7740001454', invoiceNumber: `FV/${runId}/${i}`, netAmount: 100 + (i % 50) });
    const invoice: MixedInvoice = { erpDocumentId, xml, door: i % 2 === 0 ? 'http' : 'kafka', expectedState: invalid ? 'INVALID' : 'ACCEPTED', resubmitted: false };
    unique.push(invoice);
    mix.push(invoice);
  }
  return mix;
}
