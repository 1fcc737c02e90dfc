// Generates dashboards/ksef-bridge-metrics.json (run: node deploy/grafana/generate-dashboard.mjs). The JSON is
// committed; edit this file, not the JSON, so the panels stay one per metric family and the layout stays regular.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: 'prometheus' }; // provisioning/datasources/datasources.yml
let id = 0;
let y = 0;
let x = 0;
const panels = [];

function row(title) {
  if (x !== 0) y += 8;
  x = 0;
  panels.push({ type: 'row', id: ++id, title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] });
}

/** A panel; `targets`: [expr, legend]. Two-thirds width for wide panels, else a third. */
function panel(title, description, targets, { type = 'timeseries', unit = 'short', wide = false } = {}) {
  const w = wide ? 16 : 8;
  if (x + w > 24) {
    x = 0;
    y += 8;
  }
  panels.push({
    type,
    id: ++id,
    title,
    description,
    datasource: DS,
    gridPos: { h: 8, w, x, y },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: type === 'timeseries' ? { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } } : {},
    targets: targets.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr, legendFormat })),
  });
  x += w;
}

function text(title, content) {
  if (x + 8 > 24) {
    x = 0;
    y += 8;
  }
  panels.push({ type: 'text', id: ++id, title, gridPos: { h: 8, w: 8, x, y }, options: { mode: 'markdown', content } });
  x += 8;
}

row('Technical: KSeF API');
panel('KSeF calls by route and status', 'ksef_api_calls_total: every KSeF HTTP call; status is the HTTP status or timeout/network/aborted.', [['sum by (route, status) (rate(ksef_api_calls_total[5m]))', '{{route}} {{status}}']], { unit: 'reqps', wide: true });
panel('KSeF latency p95 by route', 'ksef_api_call_duration_seconds histogram.', [['histogram_quantile(0.95, sum by (route, le) (rate(ksef_api_call_duration_seconds_bucket[5m])))', '{{route}}']], { unit: 's' });
panel('KSeF timeouts', 'ksef_api_timeouts_total by route.', [['sum by (route) (increase(ksef_api_timeouts_total[5m]))', '{{route}}']]);
panel('KSeF 429 answers', 'ksef_api_rate_limited_total by route.', [['sum by (route) (increase(ksef_api_rate_limited_total[5m]))', '{{route}}']]);
panel('KSeF Retry-After waits', 'ksef_api_retry_after_seconds_total: seconds KSeF asked us to wait.', [['sum by (service) (increase(ksef_api_retry_after_seconds_total[5m]))', '{{service}}']], { unit: 's' });
panel('KSeF availability and announcements', 'ksef_availability_state (observed: 0 AVAILABLE, 1 DEGRADED, 2 UNAVAILABLE) and ksef_latarnia_status (announced on Latarnia: -1 UNKNOWN, 0 AVAILABLE, 1 MAINTENANCE, 2 FAILURE, 3 TOTAL_FAILURE).', [['max by (endpoint) (ksef_availability_state)', 'observed {{endpoint}}'], ['max by (endpoint) (ksef_latarnia_status)', 'announced {{endpoint}}']]);
panel('Sender circuit breaker', 'ksef_sender_circuit_state: 0 closed, 1 half-open, 2 open.', [['max by (instance) (ksef_sender_circuit_state)', '{{instance}}']]);
panel('Sender attempts by outcome', 'ksef_sender_attempts_total.', [['sum by (outcome) (rate(ksef_sender_attempts_total[5m]))', '{{outcome}}']], { unit: 'ops' });
panel('Sender backlog', 'ksef_sender_backlog_invoices and ksef_sender_oldest_backlog_age_seconds (right).', [['max(ksef_sender_backlog_invoices)', 'waiting'], ['max(ksef_sender_oldest_backlog_age_seconds)', 'oldest age (s)']]);
panel('Sender escalations', 'ksef_sender_escalated_total by code.', [['sum by (code) (increase(ksef_sender_escalated_total[1h]))', '{{code}}']]);
panel('Sender batch sessions and submissions', 'ksef_sender_batch_sessions_total by outcome, ksef_sender_invoices_submitted_total by mode.', [['sum by (outcome) (increase(ksef_sender_batch_sessions_total[1h]))', 'batch {{outcome}}'], ['sum by (mode) (rate(ksef_sender_invoices_submitted_total[5m]))', 'submitted {{mode}}']]);
panel('Sender access tokens', 'ksef_sender_access_tokens_total by outcome (the status-poller asks the sender).', [['sum by (outcome) (increase(ksef_sender_access_tokens_total[1h]))', '{{outcome}}']]);
panel('Status-poller polls and outcomes', 'ksef_poller_polls_total, ksef_poller_outcomes_total, ksef_poller_ksef_calls_total, ksef_poller_ksef_calls_saved_total.', [['sum by (outcome) (rate(ksef_poller_polls_total[5m]))', 'poll {{outcome}}'], ['sum by (outcome) (rate(ksef_poller_outcomes_total[5m]))', 'outcome {{outcome}}'], ['sum by (operation) (rate(ksef_poller_ksef_calls_total[5m]))', 'KSeF {{operation}}'], ['sum(rate(ksef_poller_ksef_calls_saved_total[5m]))', 'calls saved']], { unit: 'ops' });
panel('Status-poller backlog', 'ksef_poller_backlog_invoices, ksef_poller_oldest_backlog_age_seconds, ksef_poller_upo_waiting_invoices.', [['max(ksef_poller_backlog_invoices)', 'waiting for a verdict'], ['max(ksef_poller_oldest_backlog_age_seconds)', 'oldest age (s)'], ['max(ksef_poller_upo_waiting_invoices)', 'UPO being fetched']]);

row('Technical: messaging');
panel('Kafka consumer lag by group and topic', 'ksef_consumer_lag{group,topic}; ksef_consumer_lag_overall is the per-service sum the alert reads.', [['max by (group, topic) (ksef_consumer_lag)', '{{group}} {{topic}}'], ['max by (service) (ksef_consumer_lag_overall)', '{{service}} total']], { wide: true });
panel('Consumer messages, retries and dead letters', 'ksef_consumer_messages_total, ksef_consumer_retries_total, ksef_consumer_dead_lettered_total.', [['sum by (service) (rate(ksef_consumer_messages_total[5m]))', '{{service}} applied'], ['sum by (service, code) (rate(ksef_consumer_retries_total[5m]))', '{{service}} retry {{code}}'], ['sum by (service, topic, code) (increase(ksef_consumer_dead_lettered_total[1h]))', '{{service}} DLT {{topic}} {{code}}']]);
panel('Outbox backlog', 'ksef_outbox_pending_events and ksef_outbox_parked_events per service.', [['max by (service) (ksef_outbox_pending_events)', '{{service}} pending'], ['max by (service) (ksef_outbox_parked_events)', '{{service}} parked']]);
panel('Outbox oldest pending age', 'ksef_outbox_oldest_pending_age_seconds per service.', [['max by (service) (ksef_outbox_oldest_pending_age_seconds)', '{{service}}']], { unit: 's' });
panel('Outbox publishing', 'ksef_outbox_published_total, ksef_outbox_publish_failures_total by code, ksef_outbox_parked_total.', [['sum by (service) (rate(ksef_outbox_published_total[5m]))', '{{service}} published'], ['sum by (service, code) (rate(ksef_outbox_publish_failures_total[5m]))', '{{service}} failed {{code}}'], ['sum by (service) (increase(ksef_outbox_parked_total[1h]))', '{{service}} parked']]);
panel('Notifier webhooks', 'ksef_notifier_webhook_deliveries_total, _dead_total, _pending_deliveries, _dead_deliveries, _oldest_pending_age_seconds, ksef_notifier_events_published_total.', [['sum by (outcome) (rate(ksef_notifier_webhook_deliveries_total[5m]))', 'delivery {{outcome}}'], ['sum by (reason) (increase(ksef_notifier_webhook_dead_total[1h]))', 'dead {{reason}}'], ['max(ksef_notifier_webhook_pending_deliveries)', 'pending'], ['max(ksef_notifier_webhook_dead_deliveries)', 'dead (stored)'], ['max(ksef_notifier_webhook_oldest_pending_age_seconds)', 'oldest pending (s)'], ['sum by (type) (rate(ksef_notifier_events_published_total[5m]))', 'event {{type}}']]);
panel('Notifier webhook latency p95', 'ksef_notifier_webhook_request_duration_seconds and ksef_notifier_webhook_delivery_latency_seconds.', [['histogram_quantile(0.95, sum by (le, outcome) (rate(ksef_notifier_webhook_request_duration_seconds_bucket[5m])))', 'request {{outcome}}'], ['histogram_quantile(0.95, sum by (le) (rate(ksef_notifier_webhook_delivery_latency_seconds_bucket[5m])))', 'event to delivery']], { unit: 's' });

row('Business');
panel('Invoices per state', 'ksef_invoices{tenant,state}, summed over tenants (max over intake replicas: they read one database).', [['sum by (state) (max by (tenant, state) (ksef_invoices))', '{{state}}']], { wide: true });
panel('Invoices per tenant and state', 'ksef_invoices{tenant,state}.', [['max by (tenant, state) (ksef_invoices) > 0', '{{tenant}} {{state}}']], { type: 'table' });
panel('Invoices waiting over 1 hour', 'ksef_invoices_waiting_over_1h{tenant}; ksef_invoices_waiting_over_1h_overall is the sum the alert reads.', [['max by (tenant) (ksef_invoices_waiting_over_1h)', '{{tenant}}'], ['max(ksef_invoices_waiting_over_1h_overall)', 'all tenants']]);
panel('Oldest waiting invoice by state', 'ksef_invoice_oldest_waiting_age_seconds{state}; _overall is the maximum.', [['max by (state) (ksef_invoice_oldest_waiting_age_seconds)', '{{state}}'], ['max(ksef_invoice_oldest_waiting_age_seconds_overall)', 'oldest']], { unit: 's' });
panel('Rejections by code', 'ksef_invoice_rejections_total{tenant,state,code}: INVALID (our validation), REJECTED (KSeF).', [['sum by (state, code) (max by (tenant, state, code) (increase(ksef_invoice_rejections_total[1h])))', '{{state}} {{code}}']]);
panel('Throughput', 'ksef_invoice_transitions_total by target state, ksef_intake_submissions_total by door and outcome, ksef_validator_verdicts_total.', [['sum by (state) (max by (tenant, state) (rate(ksef_invoice_transitions_total[5m])))', '→ {{state}}'], ['sum by (door, outcome) (rate(ksef_intake_submissions_total[5m]))', 'intake {{door}} {{outcome}}'], ['sum by (verdict) (rate(ksef_validator_verdicts_total[5m]))', 'validator {{verdict}}']], { unit: 'ops', wide: true });

row('Regulatory');
panel('Unconfirmed past deadline', 'ksef_invoices_unconfirmed_past_deadline{tenant}: not final, no KSeF number, older than INTAKE_CONFIRMATION_DEADLINE_SECONDS.', [['max by (tenant) (ksef_invoices_unconfirmed_past_deadline)', '{{tenant}}'], ['max(ksef_invoices_unconfirmed_past_deadline_overall)', 'all tenants']]);
panel('Accepted without UPO', 'ksef_accepted_invoices_missing_upo{tenant}: ACCEPTED over an hour ago, no UPO stored.', [['max by (tenant) (ksef_accepted_invoices_missing_upo)', '{{tenant}}'], ['max(ksef_accepted_invoices_missing_upo_overall)', 'all tenants'], ['max(ksef_poller_accepted_missing_upo_invoices)', 'announced without UPO (status-poller)']]);
panel('Offline invoices by deadline state', 'ksef_sender_offline_invoices{tenant,deadline_state}: offline invoices not yet in KSeF against their legal send deadline (due-soon within SENDER_OFFLINE_WARN_BEFORE_MS); the _overall twins are what the alerts read.', [['sum by (deadline_state) (max by (tenant, deadline_state) (ksef_sender_offline_invoices))', '{{deadline_state}}'], ['max(ksef_sender_offline_invoices_due_soon_overall)', 'due soon (alert)'], ['max(ksef_sender_offline_invoices_overdue_overall)', 'overdue (alert)']]);
panel('Offline invoices per tenant', 'ksef_sender_offline_invoices{tenant,deadline_state} per tenant, non-zero only.', [['max by (tenant, deadline_state) (ksef_sender_offline_invoices) > 0', '{{tenant}} {{deadline_state}}']], { type: 'table' });
panel('Offline certificates (KOD II): time to expiry', 'ksef_sender_offline_certificate_expiry_seconds{tenant,context_nip}: time until the Offline certificate of each enabled context expires, soonest first; negative once expired. Alerts below 30 days (warning) and at 0 (critical).', [['sort(min by (tenant, context_nip) (ksef_sender_offline_certificate_expiry_seconds))', '{{tenant}} {{context_nip}}']], { type: 'table', unit: 's' });
panel('Offline certificates: expiring, expired, contexts without one', 'ksef_sender_offline_certificates_expiring_soon_overall (within 30 days), ksef_sender_offline_certificates_expired_overall and ksef_sender_offline_contexts_without_valid_certificate_overall (what the alerts read); ksef_sender_offline_contexts_without_valid_certificate{tenant}: contexts with offline invoices not yet in KSeF but no Offline certificate valid now (KOD II refused).', [['max(ksef_sender_offline_certificates_expiring_soon_overall)', 'expiring within 30 days'], ['max(ksef_sender_offline_certificates_expired_overall)', 'expired'], ['max(ksef_sender_offline_contexts_without_valid_certificate_overall)', 'offline contexts without a valid one'], ['max by (tenant) (ksef_sender_offline_contexts_without_valid_certificate) > 0', 'without: {{tenant}}']]);

const dashboard = {
  uid: 'ksef-bridge-metrics',
  title: 'ksef-bridge: technical, business, regulatory',
  description: 'One panel per metric family (docs/observability.md). Generated by deploy/grafana/generate-dashboard.mjs.',
  tags: ['ksef-bridge'],
  timezone: 'browser',
  schemaVersion: 39,
  version: 1,
  editable: true,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: { list: [] },
  annotations: { list: [] },
  panels,
};
const out = join(dirname(fileURLToPath(import.meta.url)), 'dashboards', 'ksef-bridge-metrics.json');
writeFileSync(out, `${JSON.stringify(dashboard, null, 2)}\n`);
console.log(`${out}: ${panels.length} panels`);
