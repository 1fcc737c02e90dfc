import type { DataSource } from 'typeorm';
import { createMetricsRegistry } from '@ksef-bridge/observability';
import { registerOfflineCertificateGauges, summarizeOfflineCertificates } from './offline-certificate.metrics';
import type { OfflineCertificateRepository, OfflineCertificateStatus } from './offline-certificate.repository';

const DAY = 86_400_000;
const now = new Date('2026-11-25T12:00:00.000Z');
const at = (days: number) => new Date(now.getTime() + days * DAY);
const status = (over: Partial<OfflineCertificateStatus>): OfflineCertificateStatus => ({
  contextNip: '5265877635', tenantId: 'acme', validFrom: at(-300), validTo: at(65), issuingOffline: false, ...over,
});

describe('summarizeOfflineCertificates', () => {
  it('gives seconds until notAfter per certificate, negative once expired, none for a context without one', () => {
    const summary = summarizeOfflineCertificates([
      status({ contextNip: '1111111111', validTo: at(65) }),
      status({ contextNip: '2222222222', validTo: new Date(now.getTime() - 1_500) }),
      status({ contextNip: '3333333333', tenantId: 'beta', validFrom: null, validTo: null, issuingOffline: true }),
    ], now);
    expect(summary.expiry).toEqual([
      { tenant: 'acme', contextNip: '1111111111', seconds: 65 * 86_400 },
      { tenant: 'acme', contextNip: '2222222222', seconds: -2 },
    ]);
  });

  it('counts per tenant the contexts issuing offline without a certificate valid now (missing, expired, not yet valid)', () => {
    const summary = summarizeOfflineCertificates([
      status({ contextNip: '1111111111', issuingOffline: true }), // covered
      status({ contextNip: '2222222222', issuingOffline: true, validTo: at(-1) }), // expired
      status({ contextNip: '3333333333', issuingOffline: true, validFrom: null, validTo: null }), // none
      status({ contextNip: '4444444444', issuingOffline: true, validFrom: at(1), validTo: at(400) }), // not yet valid
      status({ contextNip: '5555555555', issuingOffline: false, validTo: at(-10) }), // expired, but not issuing offline
      status({ contextNip: '6666666666', tenantId: 'beta', issuingOffline: true }),
      status({ contextNip: '7777777777', tenantId: 'gamma', issuingOffline: false, validTo: now }), // notAfter is now: expired
    ], now);
    expect(Object.fromEntries(summary.withoutValid)).toEqual({ acme: 3, beta: 0, gamma: 0 });
    expect(summary.withoutValidTotal).toBe(3);
    expect(summary.expiry.find((e) => e.contextNip === '7777777777')?.seconds).toBe(0);
  });

  it('counts expiring soon (within 30 days, not yet expired) and expired certificates over all tenants', () => {
    const summary = summarizeOfflineCertificates([
      status({ contextNip: '1111111111', validTo: at(29.9) }), // soon
      status({ contextNip: '2222222222', tenantId: 'beta', validTo: new Date(now.getTime() + 1_000) }), // soon: 1 s left
      status({ contextNip: '3333333333', validTo: at(30) }), // exactly 30 days: not yet
      status({ contextNip: '4444444444', validTo: at(200) }),
      status({ contextNip: '5555555555', validTo: now }), // expired at notAfter
      status({ contextNip: '6666666666', tenantId: 'beta', validTo: at(-3) }),
      status({ contextNip: '7777777777', validFrom: null, validTo: null, issuingOffline: true }), // none: neither
    ], now);
    expect({ soon: summary.expiringSoonTotal, expired: summary.expiredTotal, without: summary.withoutValidTotal }).toEqual({ soon: 2, expired: 2, without: 1 });
  });

  it('is empty without contexts', () => {
    expect(summarizeOfflineCertificates([], now)).toEqual({ expiry: [], withoutValid: new Map(), expiringSoonTotal: 0, expiredTotal: 0, withoutValidTotal: 0 });
  });
});

describe('registerOfflineCertificateGauges', () => {
  const dataSource = { manager: {} } as unknown as DataSource;

  it('exposes both families from one read per scrape, replacing the previous snapshot, and keeps the last values when the database fails', async () => {
    let rows: OfflineCertificateStatus[] | Error = [status({ contextNip: '1111111111', validTo: new Date(Date.now() + 10 * DAY) }), status({ contextNip: '2222222222', tenantId: 'beta', validFrom: null, validTo: null, issuingOffline: true })];
    let reads = 0;
    const repository = { statuses: async () => { reads++; if (rows instanceof Error) throw rows; return rows; } } as unknown as OfflineCertificateRepository;
    const registry = createMetricsRegistry('sender', { defaultMetrics: false });
    registerOfflineCertificateGauges(registry, dataSource, repository);

    const first = await registry.metrics();
    expect(reads).toBe(1);
    const expiry = /ksef_sender_offline_certificate_expiry_seconds\{tenant="acme",context_nip="1111111111",service="sender"\} (-?\d+)/.exec(first);
    expect(Number(expiry?.[1])).toBeGreaterThan(10 * 86_400 - 5);
    expect(Number(expiry?.[1])).toBeLessThanOrEqual(10 * 86_400);
    expect(first).toContain('ksef_sender_offline_contexts_without_valid_certificate{tenant="beta",service="sender"} 1');
    expect(first).toContain('ksef_sender_offline_contexts_without_valid_certificate{tenant="acme",service="sender"} 0');
    expect(first).toContain('ksef_sender_offline_certificates_expiring_soon_overall{service="sender"} 1');
    expect(first).toContain('ksef_sender_offline_certificates_expired_overall{service="sender"} 0');
    expect(first).toContain('ksef_sender_offline_contexts_without_valid_certificate_overall{service="sender"} 1');

    // The certificate of 1111111111 removed: its series goes (reset), after the snapshot's 1 s lifetime.
    rows = [status({ contextNip: '2222222222', tenantId: 'beta', validFrom: null, validTo: null, issuingOffline: true })];
    await new Promise((r) => setTimeout(r, 1_100));
    const second = await registry.metrics();
    expect(second).not.toContain('context_nip="1111111111"');
    expect(second).toContain('# TYPE ksef_sender_offline_certificate_expiry_seconds gauge');
    expect(second).toContain('ksef_sender_offline_certificates_expiring_soon_overall{service="sender"} 0');

    rows = new Error('connection refused');
    await new Promise((r) => setTimeout(r, 1_100));
    const third = await registry.metrics();
    expect(third).toContain('ksef_sender_offline_contexts_without_valid_certificate{tenant="beta",service="sender"} 1');
    expect(third).toContain('ksef_sender_offline_contexts_without_valid_certificate_overall{service="sender"} 1');
  });
});
