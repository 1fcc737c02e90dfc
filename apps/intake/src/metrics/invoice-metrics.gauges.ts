import { Counter, Gauge, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import { INVOICE_STATES } from '@ksef-bridge/invoice-domain';
import { WAITING_STATES, type InvoiceMetricsSnapshot } from './invoice-metrics.queries';

/** Final states that are a refusal: INVALID (our XSD/business validation), REJECTED (KSeF). */
const REJECTION_STATES = new Set(['INVALID', 'REJECTED']);

type Read = () => Promise<InvoiceMetricsSnapshot | undefined>;

function gauge(registry: Registry, name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: InvoiceMetricsSnapshot) => void, read: Read): void {
  getOrCreateMetric(registry, name, (registers) => new Gauge({ name, help, labelNames, registers, async collect() {
    const snapshot = await read();
    if (!snapshot) return; // database unreachable: the last values stay
    if (labelNames.length > 0) this.reset();
    fill(this, snapshot);
  } }));
}

function counter(registry: Registry, name: string, help: string, labelNames: string[], fill: (c: Counter<string>, s: InvoiceMetricsSnapshot) => void, read: Read): void {
  getOrCreateMetric(registry, name, (registers) => new Counter({ name, help, labelNames, registers, async collect() {
    const snapshot = await read();
    if (!snapshot) return;
    // Counted from the append-only history, so the value only grows: a true counter, rebuilt on every scrape.
    this.reset();
    fill(this, snapshot);
  } }));
}

const sumBy = (s: InvoiceMetricsSnapshot, field: 'waitingOver1h' | 'unconfirmedPastDeadline' | 'acceptedMissingUpo') => {
  const out = new Map<string, number>(s.tenants.map((t) => [t, 0]));
  for (const row of s.counts) out.set(row.tenant, (out.get(row.tenant) ?? 0) + row[field]);
  return out;
};

const total = (s: InvoiceMetricsSnapshot, field: 'waitingOver1h' | 'unconfirmedPastDeadline' | 'acceptedMissingUpo') => s.counts.reduce((n, row) => n + row[field], 0);

/**
 * Business and regulatory families of intake, read from one snapshot per scrape (see docs/observability.md).
 * Per-tenant families set every known tenant (0 too); each `_overall` twin is label-less and always present, so
 * the alert rules read it from every scrape (their sum over tenants, or max for ages).
 */
export function registerInvoiceMetrics(registry: Registry, read: Read): void {
  gauge(registry, 'ksef_invoices', 'Invoices by tenant and state', ['tenant', 'state'], (g, s) => {
    for (const tenant of s.tenants) for (const state of INVOICE_STATES) g.set({ tenant, state }, 0);
    for (const row of s.counts) g.set({ tenant: row.tenant, state: row.state }, row.invoices);
  }, read);
  gauge(registry, 'ksef_invoices_waiting_over_1h', 'Invoices in a non-final state received more than 1 hour ago, by tenant', ['tenant'], (g, s) => {
    for (const [tenant, n] of sumBy(s, 'waitingOver1h')) g.set({ tenant }, n);
  }, read);
  gauge(registry, 'ksef_invoices_waiting_over_1h_overall', 'Invoices in a non-final state received more than 1 hour ago, all tenants', [], (g, s) => g.set(total(s, 'waitingOver1h')), read);
  gauge(registry, 'ksef_invoice_oldest_waiting_age_seconds', 'Seconds since the oldest invoice now in this non-final state was received (0: none)', ['state'], (g, s) => {
    const oldest = new Map<string, number>(WAITING_STATES.map((state) => [state, 0]));
    for (const row of s.counts) if (row.oldestWaitingAgeSeconds !== null) oldest.set(row.state, Math.max(oldest.get(row.state) ?? 0, row.oldestWaitingAgeSeconds));
    for (const [state, age] of oldest) g.set({ state }, age);
  }, read);
  gauge(registry, 'ksef_invoice_oldest_waiting_age_seconds_overall', 'Seconds since the oldest invoice in any non-final state was received (0: none)', [], (g, s) => {
    g.set(Math.max(0, ...s.counts.map((row) => row.oldestWaitingAgeSeconds ?? 0)));
  }, read);
  gauge(registry, 'ksef_invoices_unconfirmed_past_deadline', 'Invoices without a KSeF number, not final, received longer ago than INTAKE_CONFIRMATION_DEADLINE_SECONDS, by tenant', ['tenant'], (g, s) => {
    for (const [tenant, n] of sumBy(s, 'unconfirmedPastDeadline')) g.set({ tenant }, n);
  }, read);
  gauge(registry, 'ksef_invoices_unconfirmed_past_deadline_overall', 'Invoices without a KSeF number past the confirmation deadline, all tenants', [], (g, s) => g.set(total(s, 'unconfirmedPastDeadline')), read);
  gauge(registry, 'ksef_accepted_invoices_missing_upo', 'ACCEPTED invoices without a stored UPO more than 1 hour after acceptance, by tenant', ['tenant'], (g, s) => {
    for (const [tenant, n] of sumBy(s, 'acceptedMissingUpo')) g.set({ tenant }, n);
  }, read);
  gauge(registry, 'ksef_accepted_invoices_missing_upo_overall', 'ACCEPTED invoices without a stored UPO more than 1 hour after acceptance, all tenants', [], (g, s) => g.set(total(s, 'acceptedMissingUpo')), read);
  counter(registry, 'ksef_invoice_rejections_total', 'Invoices refused, by tenant, state (INVALID: our validation, REJECTED: KSeF) and error code', ['tenant', 'state', 'code'], (c, s) => {
    for (const row of s.transitions) if (REJECTION_STATES.has(row.state)) c.inc({ tenant: row.tenant, state: row.state, code: row.code || 'UNKNOWN' }, row.transitions);
  }, read);
  counter(registry, 'ksef_invoice_transitions_total', 'Invoice state changes by tenant and target state (throughput: rate of ACCEPTED, SENT, ...)', ['tenant', 'state'], (c, s) => {
    const sums = new Map<string, { tenant: string; state: string; n: number }>();
    for (const row of s.transitions) {
      const key = `${row.tenant}|${row.state}`;
      const entry = sums.get(key) ?? { tenant: row.tenant, state: row.state, n: 0 };
      entry.n += row.transitions;
      sums.set(key, entry);
    }
    for (const { tenant, state, n } of sums.values()) c.inc({ tenant, state }, n);
  }, read);
}
