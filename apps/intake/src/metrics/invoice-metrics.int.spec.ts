import { createHash, randomUUID } from 'node:crypto';
import { createMetricsRegistry } from '@ksef-bridge/observability';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type IntakeHarness } from '../test/intake-harness';
import { registerInvoiceMetrics } from './invoice-metrics.gauges';
import { cachedInvoiceMetricsReader } from './invoice-metrics.provider';

// Intake's business and regulatory gauges against a real PostgreSQL: invoices are put into their states through
// the state machine the database enforces (RECEIVED first, allowed transitions only), then /metrics is scraped.
const HOUR = 3_600;
const DAY = 86_400;

/** `name{labels}` → value, labels sorted and without the default `service` label. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    const labels = (m[1] ?? '')
      .split(',')
      .filter((l) => l && !l.startsWith('service='))
      .sort()
      .join(',');
    out.set(labels, Number(m[2]));
  }
  return out;
}

function groupOf(text: string, topic: string): string | undefined {
  return new RegExp(`ksef_consumer_lag\\{group="([^"]+)",topic="${topic.replace(/\./g, '\\.')}"`).exec(text)?.[1];
}

describe('intake invoice metrics (real PostgreSQL)', () => {
  let intake: IntakeHarness;
  const q = (sql: string, params: unknown[] = []) => intake.dataSource.query(sql, params);

  /** An invoice received `ageSeconds` ago, walked through `path` (history rows included), then left there. */
  async function invoice(tenant: string, ageSeconds: number, path: string[], extra: { ksefNumber?: string; updatedAgoSeconds?: number; upo?: boolean; code?: string } = {}): Promise<string> {
    const id = randomUUID();
    await q(`INSERT INTO intake.invoices (id, tenant_id, erp_document_id, content_sha256, size_bytes, state) VALUES ($1, $2, $3, $4, 100, 'RECEIVED')`, [id, tenant, `erp-${id}`, createHash('sha256').update(id).digest('hex')]);
    await q(`INSERT INTO intake.invoice_history (invoice_id, from_state, to_state, actor) VALUES ($1, NULL, 'RECEIVED', 'test')`, [id]);
    let from = 'RECEIVED';
    for (const to of path) {
      await q(`UPDATE intake.invoices SET state = $2 WHERE id = $1`, [id, to]);
      const refused = to === 'INVALID' || to === 'REJECTED';
      await q(`INSERT INTO intake.invoice_history (invoice_id, from_state, to_state, actor, error_code) VALUES ($1, $2, $3, 'test', $4)`, [id, from, to, refused ? (extra.code ?? null) : null]);
      from = to;
    }
    if (extra.ksefNumber) await q(`UPDATE intake.invoices SET ksef_number = $2 WHERE id = $1`, [id, extra.ksefNumber]);
    if (extra.upo) await q(`INSERT INTO intake.invoice_upos (invoice_id, sha256, xml) VALUES ($1, $2, '<UPO/>')`, [id, 'a'.repeat(64)]);
    await q(`UPDATE intake.invoices SET created_at = now() - make_interval(secs => $2), updated_at = now() - make_interval(secs => $3) WHERE id = $1`, [id, ageSeconds, extra.updatedAgoSeconds ?? 0]);
    return id;
  }

  beforeAll(async () => {
    intake = await startIntake();
    for (const t of ['alpha', 'beta', 'gamma']) await intake.tenant(t);
    await invoice('alpha', 10, []); // RECEIVED, fresh
    await invoice('alpha', 2 * HOUR, ['QUEUED']); // waiting over 1 h
    await invoice('alpha', 2 * DAY, ['QUEUED', 'SENT']); // waiting, no KSeF number past the 24 h deadline
    await invoice('alpha', 3 * HOUR, ['QUEUED', 'SENT', 'ACCEPTED'], { ksefNumber: '5265877635-20250826-0100001AF629-AF', updatedAgoSeconds: 2 * HOUR }); // no UPO
    await invoice('alpha', 5 * HOUR, ['INVALID'], { code: 'XSD_INVALID' });
    await invoice('beta', 3 * HOUR, ['QUEUED', 'SENT', 'ACCEPTED'], { ksefNumber: '5265877635-20250826-0100001AF630-B0', updatedAgoSeconds: 2 * HOUR, upo: true });
    await invoice('beta', 3 * DAY, ['QUEUED', 'SENT', 'PROCESSING']);
    await invoice('beta', 4 * HOUR, ['QUEUED', 'SENT', 'REJECTED'], { code: 'KSEF_INVOICE_REJECTED' });
    await invoice('beta', 2 * HOUR, ['QUEUED', 'SENT', 'ACCEPTED'], { ksefNumber: '5265877635-20250826-0100001AF631-C1', updatedAgoSeconds: 60 }); // within the UPO grace
  }, 120_000);

  afterAll(async () => {
    await intake?.close();
  });

  it('serves invoices per tenant and state, queue age, overdue confirmations, missing UPOs, rejections and throughput on /metrics', async () => {
    const text = await (await fetch(`${intake.url}/metrics`)).text();

    const invoices = samples(text, 'ksef_invoices');
    expect(invoices.get('state="RECEIVED",tenant="alpha"')).toBe(1);
    expect(invoices.get('state="QUEUED",tenant="alpha"')).toBe(1);
    expect(invoices.get('state="SENT",tenant="alpha"')).toBe(1);
    expect(invoices.get('state="ACCEPTED",tenant="alpha"')).toBe(1);
    expect(invoices.get('state="INVALID",tenant="alpha"')).toBe(1);
    expect(invoices.get('state="ACCEPTED",tenant="beta"')).toBe(2);
    expect(invoices.get('state="PROCESSING",tenant="beta"')).toBe(1);
    expect(invoices.get('state="REJECTED",tenant="beta"')).toBe(1);
    // A tenant without invoices shows every state at 0.
    expect(invoices.get('state="ACCEPTED",tenant="gamma"')).toBe(0);
    expect([...invoices.keys()].filter((k) => k.endsWith('tenant="gamma"'))).toHaveLength(11);

    expect(samples(text, 'ksef_invoices_waiting_over_1h')).toEqual(new Map([['tenant="alpha"', 2], ['tenant="beta"', 1], ['tenant="gamma"', 0]]));
    expect(samples(text, 'ksef_invoices_waiting_over_1h_overall')).toEqual(new Map([['', 3]]));
    expect(samples(text, 'ksef_invoices_unconfirmed_past_deadline')).toEqual(new Map([['tenant="alpha"', 1], ['tenant="beta"', 1], ['tenant="gamma"', 0]]));
    expect(samples(text, 'ksef_invoices_unconfirmed_past_deadline_overall')).toEqual(new Map([['', 2]]));
    expect(samples(text, 'ksef_accepted_invoices_missing_upo')).toEqual(new Map([['tenant="alpha"', 1], ['tenant="beta"', 0], ['tenant="gamma"', 0]]));
    expect(samples(text, 'ksef_accepted_invoices_missing_upo_overall')).toEqual(new Map([['', 1]]));

    const oldest = samples(text, 'ksef_invoice_oldest_waiting_age_seconds');
    expect(oldest.get('state="PROCESSING"')).toBeGreaterThanOrEqual(3 * DAY);
    expect(oldest.get('state="PROCESSING"')).toBeLessThan(3 * DAY + 120);
    expect(oldest.get('state="SENT"')).toBeGreaterThanOrEqual(2 * DAY);
    expect(oldest.get('state="QUEUED"')).toBeGreaterThanOrEqual(2 * HOUR);
    expect(oldest.get('state="QUEUED"')).toBeLessThan(2 * HOUR + 120);
    expect(oldest.get('state="RECEIVED"')).toBeLessThan(120);
    expect(oldest.get('state="OFFLINE"')).toBe(0);
    expect(oldest.has('state="ACCEPTED"')).toBe(false);
    expect(samples(text, 'ksef_invoice_oldest_waiting_age_seconds_overall').get('')).toBe(oldest.get('state="PROCESSING"'));

    expect(samples(text, 'ksef_invoice_rejections_total')).toEqual(
      new Map([
        ['code="XSD_INVALID",state="INVALID",tenant="alpha"', 1],
        ['code="KSEF_INVOICE_REJECTED",state="REJECTED",tenant="beta"', 1],
      ]),
    );
    const transitions = samples(text, 'ksef_invoice_transitions_total');
    expect(transitions.get('state="QUEUED",tenant="alpha"')).toBe(3);
    expect(transitions.get('state="ACCEPTED",tenant="beta"')).toBe(2);
    expect(transitions.get('state="RECEIVED",tenant="beta"')).toBe(4);
  });

  it('counts only invoices older than the configured confirmation deadline', async () => {
    const registry = createMetricsRegistry('intake-deadline');
    registerInvoiceMetrics(registry, cachedInvoiceMetricsReader(intake.dataSource, 'intake', 2.5 * DAY));
    const text = await registry.metrics();
    // alpha's SENT invoice is 2 days old (under 2.5 days); beta's PROCESSING one 3 days.
    expect(samples(text, 'ksef_invoices_unconfirmed_past_deadline')).toEqual(new Map([['tenant="alpha"', 0], ['tenant="beta"', 1], ['tenant="gamma"', 0]]));
  });

  it('reads lag for the consumer groups intake runs', async () => {
    // Intake's topics were created a moment ago: the first reads may meet partitions still electing leaders.
    const text = await waitFor(
      async () => {
        const t = await (await fetch(`${intake.url}/metrics`)).text();
        return [...samples(t, 'ksef_consumer_lag').keys()].some((k) => k.includes(`topic="${intake.topics.erpInvoiceSubmitted}"`)) ? t : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'consumer lag of the ERP door' },
    );
    expect(samples(text, 'ksef_consumer_lag').get(`group="${groupOf(text, intake.topics.erpInvoiceSubmitted)}",topic="${intake.topics.erpInvoiceSubmitted}"`)).toBe(0);
    expect(samples(text, 'ksef_consumer_lag_overall').get('')).toBe(0);
  });
});
