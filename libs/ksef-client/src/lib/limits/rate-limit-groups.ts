import type { RateLimitValues } from '../model/ksef-api.types';

/** Rate-limit groups as keyed by `GET /rate-limits` (API.md §10). */
export type RateLimitGroup =
  | 'onlineSession'
  | 'invoiceSend'
  | 'batchSession'
  | 'invoiceStatus'
  | 'sessionList'
  | 'sessionInvoiceList'
  | 'sessionMisc'
  | 'invoiceMetadata'
  | 'invoiceExport'
  | 'invoiceExportStatus'
  | 'invoiceDownload'
  | 'other';

export type RateLimitTable = Record<RateLimitGroup, RateLimitValues>;

/** Published production (and DEMO) limits per (context, IP). */
export const PRODUCTION_RATE_LIMITS: Readonly<RateLimitTable> = Object.freeze({
  onlineSession: { perSecond: 10, perMinute: 30, perHour: 120 },
  invoiceSend: { perSecond: 10, perMinute: 30, perHour: 180 },
  batchSession: { perSecond: 10, perMinute: 20, perHour: 60 },
  invoiceStatus: { perSecond: 30, perMinute: 120, perHour: 1200 },
  sessionList: { perSecond: 5, perMinute: 10, perHour: 60 },
  sessionInvoiceList: { perSecond: 10, perMinute: 20, perHour: 200 },
  sessionMisc: { perSecond: 10, perMinute: 120, perHour: 1200 },
  invoiceMetadata: { perSecond: 8, perMinute: 16, perHour: 20 },
  invoiceExport: { perSecond: 8, perMinute: 16, perHour: 20 },
  invoiceExportStatus: { perSecond: 10, perMinute: 60, perHour: 600 },
  invoiceDownload: { perSecond: 8, perMinute: 16, perHour: 64 },
  other: { perSecond: 10, perMinute: 30, perHour: 120 },
});

/** TE (test environment) defaults: 10× production. */
export const TEST_ENVIRONMENT_RATE_LIMITS: Readonly<RateLimitTable> = Object.freeze(
  Object.fromEntries(
    Object.entries(PRODUCTION_RATE_LIMITS).map(([group, v]) => [group, { perSecond: v.perSecond * 10, perMinute: v.perMinute * 10, perHour: v.perHour * 10 }]),
  ) as RateLimitTable,
);

/**
 * The limit group of a call, or undefined for calls KSeF does not count per context: batch part uploads and UPO
 * download URLs (not limited), and `POST /auth/challenge` (limited per IP only, 60 req/s).
 */
export function rateLimitGroupOf(method: string, path: string): RateLimitGroup | undefined {
  const p = (path.split('?')[0] ?? '').replace(/\/+$/, '');
  const m = method.toUpperCase();
  if (/^https?:\/\//i.test(p)) return undefined;
  if (m === 'POST' && p === '/auth/challenge') return undefined;
  if (m === 'POST' && (p === '/sessions/online' || /^\/sessions\/online\/[^/]+\/close$/.test(p))) return 'onlineSession';
  if (m === 'POST' && /^\/sessions\/online\/[^/]+\/invoices$/.test(p)) return 'invoiceSend';
  if (m === 'POST' && (p === '/sessions/batch' || /^\/sessions\/batch\/[^/]+\/close$/.test(p))) return 'batchSession';
  if (m === 'GET' && p === '/sessions') return 'sessionList';
  if (m === 'GET' && /^\/sessions\/[^/]+\/invoices(\/failed)?$/.test(p)) return 'sessionInvoiceList';
  if (m === 'GET' && /^\/sessions\/[^/]+\/invoices\/(?!ksef\/)[^/]+$/.test(p) && !p.endsWith('/failed')) return 'invoiceStatus';
  if (m === 'GET' && p.startsWith('/sessions/')) return 'sessionMisc';
  if (m === 'POST' && p === '/invoices/query/metadata') return 'invoiceMetadata';
  if (m === 'POST' && p === '/invoices/exports') return 'invoiceExport';
  if (m === 'GET' && /^\/invoices\/exports\/[^/]+$/.test(p)) return 'invoiceExportStatus';
  if (m === 'GET' && /^\/invoices\/ksef\/[^/]+$/.test(p)) return 'invoiceDownload';
  return 'other';
}
