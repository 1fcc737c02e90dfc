import type { DataSource } from 'typeorm';
import { Gauge, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import { OFFLINE_DEADLINE_STATES } from './offline-deadline';
import type { OfflineCounts } from './offline-jobs.repository';
import type { SendJobRepository } from './send-job.repository';

/** One database read serves the three families of a scrape (they are collected one after another). */
const SNAPSHOT_TTL_MS = 1_000;

/**
 * The regulatory gauges of offline invoices (issue #6), read from `send_jobs` at scrape time:
 * - `ksef_sender_offline_invoices{tenant, deadline_state}`: unsent offline invoices (QUEUED, SENDING or ESCALATED)
 *   by where they stand against their legal deadline (on-time, due-soon within `warnBeforeMs`, overdue, pending,
 *   not-required); every state of every tenant with such invoices is set (0 too);
 * - `ksef_sender_offline_invoices_due_soon_overall` and `…_overdue_overall`: label-less totals the alert rules read
 *   (always present). Every sender replica reports the same values: aggregate with max, never sum.
 */
export function registerOfflineDeadlineGauges(registry: Registry, dataSource: DataSource, jobs: SendJobRepository, warnBeforeMs: number): void {
  let cached: { at: number; counts: Promise<OfflineCounts | undefined> } | undefined;
  const read = (): Promise<OfflineCounts | undefined> => {
    if (!cached || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
      cached = { at: Date.now(), counts: jobs.offline.countsByState(dataSource.manager, new Date(), warnBeforeMs).catch(() => undefined) };
    }
    return cached.counts;
  };
  const total = (counts: OfflineCounts, state: 'due-soon' | 'overdue') => [...counts.values()].reduce((n, perState) => n + perState[state], 0);

  getOrCreateMetric(registry, 'ksef_sender_offline_invoices', (registers) => new Gauge({
    name: 'ksef_sender_offline_invoices',
    help: 'Offline invoices not yet in KSeF, by tenant and deadline state (on-time, due-soon, overdue, pending, not-required)',
    labelNames: ['tenant', 'deadline_state'],
    registers,
    async collect() {
      const counts = await read();
      if (!counts) return; // database unreachable: the last values stay
      this.reset();
      for (const [tenant, perState] of counts) for (const state of OFFLINE_DEADLINE_STATES) this.set({ tenant, deadline_state: state }, perState[state]);
    },
  }));
  getOrCreateMetric(registry, 'ksef_sender_offline_invoices_due_soon_overall', (registers) => new Gauge({
    name: 'ksef_sender_offline_invoices_due_soon_overall',
    help: 'Offline invoices not yet in KSeF whose legal send deadline passes within SENDER_OFFLINE_WARN_BEFORE_MS, all tenants',
    registers,
    async collect() {
      const counts = await read();
      if (counts) this.set(total(counts, 'due-soon'));
    },
  }));
  getOrCreateMetric(registry, 'ksef_sender_offline_invoices_overdue_overall', (registers) => new Gauge({
    name: 'ksef_sender_offline_invoices_overdue_overall',
    help: 'Offline invoices not yet in KSeF past their legal send deadline, all tenants',
    registers,
    async collect() {
      const counts = await read();
      if (counts) this.set(total(counts, 'overdue'));
    },
  }));
}
