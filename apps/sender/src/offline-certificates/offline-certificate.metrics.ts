import type { DataSource } from 'typeorm';
import { Gauge, getOrCreateMetric, type Registry } from '@ksef-bridge/observability';
import type { OfflineCertificateRepository, OfflineCertificateStatus } from './offline-certificate.repository';

/** One database read serves every family of a scrape (they are collected one after another). */
const SNAPSHOT_TTL_MS = 1_000;

/**
 * How long before its notAfter a certificate counts as expiring soon (the warning alert): enrolling a new Offline
 * certificate in KSeF is the tenant's own step and takes its time.
 */
export const OFFLINE_CERTIFICATE_WARN_BEFORE_DAYS = 30;
const WARN_BEFORE_MS = OFFLINE_CERTIFICATE_WARN_BEFORE_DAYS * 86_400_000;

export interface OfflineCertificateSummary {
  /** Seconds until each registered certificate's notAfter (negative once it has passed), per enabled context. */
  expiry: Array<{ tenant: string; contextNip: string; seconds: number }>;
  /**
   * Contexts with unsent offline invoices and no certificate valid now (none, expired or not yet valid), per tenant;
   * every tenant of the snapshot is present, with 0 when all its offline contexts are covered.
   */
  withoutValid: Map<string, number>;
  /** Totals over all tenants, the label-less gauges the alerts read. */
  expiringSoonTotal: number;
  expiredTotal: number;
  withoutValidTotal: number;
}

const validAt = (status: OfflineCertificateStatus, now: Date): boolean =>
  status.validFrom !== null && status.validTo !== null && status.validFrom <= now && now < status.validTo;

/** The gauges' values from the stored statuses (pure: the unit tests feed it rows and a clock). */
export function summarizeOfflineCertificates(statuses: readonly OfflineCertificateStatus[], now: Date): OfflineCertificateSummary {
  const expiry: OfflineCertificateSummary['expiry'] = [];
  const withoutValid = new Map<string, number>();
  let expiringSoonTotal = 0;
  let expiredTotal = 0;
  let withoutValidTotal = 0;
  for (const status of statuses) {
    if (status.validTo) {
      const leftMs = status.validTo.getTime() - now.getTime();
      expiry.push({ tenant: status.tenantId, contextNip: status.contextNip, seconds: Math.floor(leftMs / 1000) });
      if (leftMs <= 0) expiredTotal++;
      else if (leftMs < WARN_BEFORE_MS) expiringSoonTotal++;
    }
    const uncovered = status.issuingOffline && !validAt(status, now) ? 1 : 0;
    withoutValid.set(status.tenantId, (withoutValid.get(status.tenantId) ?? 0) + uncovered);
    withoutValidTotal += uncovered;
  }
  return { expiry, withoutValid, expiringSoonTotal, expiredTotal, withoutValidTotal };
}

/**
 * The KOD II readiness gauges, read from `offline_certificates` and `send_jobs` at scrape time, so an expiring
 * Offline certificate is seen weeks before the KSeF outage that needs it (docs/qr-codes.md):
 * - `ksef_sender_offline_certificate_expiry_seconds{tenant, context_nip}`: seconds until notAfter, negative once
 *   expired; one series per enabled context with a registered certificate (one certificate per context, so the
 *   cardinality is the number of contexts, which operators register by hand). Replacing a certificate keeps its series;
 *   removing it or disabling the context drops it.
 * - `ksef_sender_offline_contexts_without_valid_certificate{tenant}`: enabled contexts that have offline invoices not
 *   yet in KSeF (they issue offline now) but no certificate valid now, so KOD II is refused for them.
 * - `ksef_sender_offline_certificates_expiring_soon_overall`, `…_expired_overall` and
 *   `ksef_sender_offline_contexts_without_valid_certificate_overall`: label-less totals the alert rules read (always
 *   present, so a rule sees 0 rather than nothing); the labelled families name the contexts and tenants.
 * Every sender replica reports the same database: aggregate with min/max, never sum.
 */
export function registerOfflineCertificateGauges(registry: Registry, dataSource: DataSource, certificates: OfflineCertificateRepository): void {
  let cached: { at: number; summary: Promise<OfflineCertificateSummary | undefined> } | undefined;
  const read = (): Promise<OfflineCertificateSummary | undefined> => {
    if (!cached || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
      const now = new Date();
      cached = { at: now.getTime(), summary: certificates.statuses(dataSource.manager).then((rows) => summarizeOfflineCertificates(rows, now)).catch(() => undefined) };
    }
    return cached.summary;
  };

  getOrCreateMetric(registry, 'ksef_sender_offline_certificate_expiry_seconds', (registers) => new Gauge({
    name: 'ksef_sender_offline_certificate_expiry_seconds',
    help: 'Seconds until the KSeF Offline certificate (KOD II) of an enabled context expires; negative once expired',
    labelNames: ['tenant', 'context_nip'],
    registers,
    async collect() {
      const summary = await read();
      if (!summary) return; // database unreachable: the last values stay
      this.reset();
      for (const e of summary.expiry) this.set({ tenant: e.tenant, context_nip: e.contextNip }, e.seconds);
    },
  }));
  getOrCreateMetric(registry, 'ksef_sender_offline_contexts_without_valid_certificate', (registers) => new Gauge({
    name: 'ksef_sender_offline_contexts_without_valid_certificate',
    help: 'Enabled KSeF contexts with offline invoices not yet in KSeF but no Offline certificate valid now (KOD II refused), by tenant',
    labelNames: ['tenant'],
    registers,
    async collect() {
      const summary = await read();
      if (!summary) return;
      this.reset();
      for (const [tenant, count] of summary.withoutValid) this.set({ tenant }, count);
    },
  }));
  const gauge = (name: string, help: string, pick: (summary: OfflineCertificateSummary) => number) =>
    getOrCreateMetric(registry, name, (registers) => new Gauge({
      name,
      help,
      registers,
      async collect() {
        const summary = await read();
        if (summary) this.set(pick(summary));
      },
    }));
  gauge('ksef_sender_offline_certificates_expiring_soon_overall', `Enabled KSeF contexts whose Offline certificate expires within ${OFFLINE_CERTIFICATE_WARN_BEFORE_DAYS} days (not yet expired)`, (s) => s.expiringSoonTotal);
  gauge('ksef_sender_offline_certificates_expired_overall', 'Enabled KSeF contexts whose registered Offline certificate has expired (KOD II refused)', (s) => s.expiredTotal);
  gauge('ksef_sender_offline_contexts_without_valid_certificate_overall', 'Enabled KSeF contexts with offline invoices not yet in KSeF but no Offline certificate valid now, all tenants', (s) => s.withoutValidTotal);
}
