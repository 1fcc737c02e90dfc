import { MIN_BATCH_INVOICES, selectBatch, wantsBatch, type BatchSettings } from './batch-policy';
import { batchStateOf, isBatchSessionRef } from './batch-session-probe';
import type { SendJob } from './send-job.repository';

const settings: BatchSettings = { backlogThreshold: 100, queueAgeMs: 900_000, maxInvoices: 1_000, maxBytes: 10_000 };

let n = 0;
function job(over: Partial<SendJob> = {}): SendJob {
  n += 1;
  return {
    invoiceId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    tenantId: 'acme',
    erpDocumentId: `FV/${n}`,
    contextNip: '5265877635',
    form: 'FA(3)',
    documentSha256: 'a'.repeat(64),
    documentSize: 1_000,
    state: 'SENDING',
    attempts: 0,
    invoiceHash: 'x'.repeat(43) + '=',
    inflightSessionRef: null,
    needsReconcile: false,
    traceparent: null,
    createdAt: new Date(1_700_000_000_000 + n),
    claimToken: `claim-${n}`,
    offlineMode: null,
    hashOfCorrectedInvoice: null,
    sendDeadline: null,
    ...over,
  };
}

describe('wantsBatch', () => {
  const quiet = { due: 10, oldestAgeMs: 1_000, interactiveMs: 0 };
  it('stays interactive below every threshold', () => expect(wantsBatch(quiet, settings)).toBe(false));
  it('switches at the backlog threshold', () => {
    expect(wantsBatch({ ...quiet, due: 99 }, settings)).toBe(false);
    expect(wantsBatch({ ...quiet, due: 100 }, settings)).toBe(true);
  });
  it('switches when the oldest due invoice is older than the queue-age threshold', () => expect(wantsBatch({ ...quiet, oldestAgeMs: 900_000 }, settings)).toBe(true));
  it('switches when the rate limits say interactive sending would take longer than the queue-age threshold', () =>
    expect(wantsBatch({ ...quiet, interactiveMs: 900_000 }, settings)).toBe(true));
  it('never batches a single invoice, and 0 turns a threshold off', () => {
    expect(wantsBatch({ due: MIN_BATCH_INVOICES - 1, oldestAgeMs: 10 ** 9, interactiveMs: 10 ** 9 }, settings)).toBe(false);
    expect(wantsBatch({ due: 10 ** 6, oldestAgeMs: 10 ** 9, interactiveMs: 10 ** 9 }, { ...settings, backlogThreshold: 0, queueAgeMs: 0 })).toBe(false);
  });
});

describe('selectBatch', () => {
  it('keeps jobs needing per-invoice care out of the package', () => {
    const fresh = [job(), job(), job()];
    const reconcile = job({ needsReconcile: true });
    const interrupted = job({ inflightSessionRef: '20261125-SB-0000000000-0000000000-00' });
    const otherTenant = job({ tenantId: 'other' });
    const exhausted = job({ attempts: 8 });
    const s = selectBatch([...fresh, reconcile, interrupted, otherTenant, exhausted], 'acme', 8, settings);
    expect(s.batch).toEqual(fresh);
    expect(s.individual).toEqual([reconcile, interrupted, otherTenant, exhausted]);
    expect(s.giveBack).toEqual([]);
  });

  it('one form per package (the largest group); other forms and jobs past the byte cap are given back', () => {
    const fa3 = Array.from({ length: 12 }, () => job({ documentSize: 1_000 }));
    const fa2 = [job({ form: 'FA(2)' })];
    const s = selectBatch([...fa3, ...fa2], 'acme', 8, settings);
    expect(s.batch).toEqual(fa3.slice(0, 10));
    expect(s.giveBack).toEqual([...fa2, ...fa3.slice(10)]);
  });

  it('an oversized first invoice still goes (alone is not a package: interactive)', () => {
    const big = job({ documentSize: 50_000 });
    const s = selectBatch([big, job()], 'acme', 8, settings);
    expect(s.batch).toEqual([]);
    expect(s.individual).toEqual([big]);
    expect(s.giveBack).toHaveLength(1);
  });
});

describe('selectBatch with offline invoices', () => {
  const soon = new Date('2026-12-01T23:00:00Z');
  const later = new Date('2026-12-03T23:00:00Z');

  it('never mixes offline and online invoices: the package is the group of the earliest deadline', () => {
    const online = Array.from({ length: 5 }, () => job());
    const offline = [job({ offlineMode: 'offline24', sendDeadline: later }), job({ offlineMode: 'unavailability', sendDeadline: soon }), job({ offlineMode: 'total-failure' })];
    const s = selectBatch([...online, ...offline], 'acme', 8, settings);
    expect(s.batch).toEqual(offline);
    expect(s.giveBack).toEqual(online);
    expect(new Set(s.batch.map((j) => j.offlineMode !== null))).toEqual(new Set([true]));
  });

  it('without any deadline the largest group goes, still of one mode', () => {
    const online = Array.from({ length: 3 }, () => job());
    const offline = [job({ offlineMode: 'total-failure' }), job({ offlineMode: 'total-failure' })];
    const s = selectBatch([...offline, ...online], 'acme', 8, settings);
    expect(s.batch).toEqual(online);
    expect(s.giveBack).toEqual(offline);
  });

  it('a technical correction never goes into a package: interactive only', () => {
    const correction = job({ offlineMode: 'offline24', hashOfCorrectedInvoice: 'A'.repeat(43) + '=', sendDeadline: soon });
    const offline = [job({ offlineMode: 'offline24', sendDeadline: later }), job({ offlineMode: 'offline24', sendDeadline: later })];
    const s = selectBatch([correction, ...offline], 'acme', 8, settings);
    expect(s.individual).toEqual([correction]);
    expect(s.batch).toEqual(offline);
  });

  it('a correction without an offline mode is still sent in offline mode, so it never joins online invoices', () => {
    const correction = job({ hashOfCorrectedInvoice: 'B'.repeat(43) + '=' });
    const s = selectBatch([correction, job(), job()], 'acme', 8, settings);
    expect(s.individual).toEqual([correction]);
    expect(s.batch).toHaveLength(2);
  });
});

describe('batch session states', () => {
  it('reads the session type from the reference number', () => {
    expect(isBatchSessionRef('20261125-SB-F45864854B-22E2228ED5-45')).toBe(true);
    expect(isBatchSessionRef('20250626-SO-2F14610000-242991F8C9-B4')).toBe(false);
  });
  it('closed statuses mean KSeF has the package, failed ones that it never processes it, open or unknown decide nothing', () => {
    for (const code of [150, 200, 445]) expect(batchStateOf(code)).toBe('in-ksef');
    for (const code of [405, 415, 420, 430, 435, 440, 500]) expect(batchStateOf(code)).toBe('not-processed');
    for (const code of [100, 170, 999]) expect(batchStateOf(code)).toBe('undecided');
  });
});
