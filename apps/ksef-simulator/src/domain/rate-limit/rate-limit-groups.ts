/** Per-(context, IP) limits of one group: requests per second, minute and hour (sliding windows). */
export interface LimitValues {
  perSecond: number;
  perMinute: number;
  perHour: number;
}

export const RATE_LIMIT_GROUPS = [
  'onlineSession',
  'batchSession',
  'invoiceSend',
  'invoiceStatus',
  'sessionList',
  'sessionInvoiceList',
  'sessionMisc',
  'invoiceMetadata',
  'invoiceExport',
  'invoiceExportStatus',
  'invoiceDownload',
  'other',
] as const;

export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];
export type GroupLimits = Record<RateLimitGroup, LimitValues>;

/** Production limits as documented (`/rate-limits`, limity/limity-api.md); TE multiplies them by 10. */
export const PRODUCTION_LIMITS: GroupLimits = {
  onlineSession: { perSecond: 10, perMinute: 30, perHour: 120 },
  batchSession: { perSecond: 10, perMinute: 20, perHour: 60 },
  invoiceSend: { perSecond: 10, perMinute: 30, perHour: 180 },
  invoiceStatus: { perSecond: 30, perMinute: 120, perHour: 1200 },
  sessionList: { perSecond: 5, perMinute: 10, perHour: 60 },
  sessionInvoiceList: { perSecond: 10, perMinute: 20, perHour: 200 },
  sessionMisc: { perSecond: 10, perMinute: 120, perHour: 1200 },
  invoiceMetadata: { perSecond: 8, perMinute: 16, perHour: 20 },
  invoiceExport: { perSecond: 8, perMinute: 16, perHour: 20 },
  invoiceExportStatus: { perSecond: 10, perMinute: 60, perHour: 600 },
  invoiceDownload: { perSecond: 8, perMinute: 16, perHour: 64 },
  other: { perSecond: 10, perMinute: 30, perHour: 120 },
};

export function teLimits(): GroupLimits {
  return Object.fromEntries(
    Object.entries(PRODUCTION_LIMITS).map(([k, v]) => [k, { perSecond: v.perSecond * 10, perMinute: v.perMinute * 10, perHour: v.perHour * 10 }]),
  ) as GroupLimits;
}

/**
 * The limit group of a route (`METHOD /v2/...` as fastify names it). Routes outside the KSeF API (health, admin,
 * storage links) return undefined: they are not limited, like batch part uploads.
 */
export function groupOf(method: string, url: string): RateLimitGroup | 'challenge' | undefined {
  if (!url.startsWith('/v2/')) return undefined;
  const path = url.slice(3);
  if (method === 'POST' && path === '/auth/challenge') return 'challenge';
  if (method === 'POST' && (path === '/sessions/online' || path === '/sessions/online/:referenceNumber/close')) return 'onlineSession';
  if (method === 'POST' && path === '/sessions/online/:referenceNumber/invoices') return 'invoiceSend';
  if (method === 'POST' && (path === '/sessions/batch' || path === '/sessions/batch/:referenceNumber/close')) return 'batchSession';
  if (method === 'GET' && path === '/sessions/:referenceNumber/invoices/:invoiceReferenceNumber') return 'invoiceStatus';
  if (method === 'GET' && path === '/sessions') return 'sessionList';
  if (method === 'GET' && (path === '/sessions/:referenceNumber/invoices' || path === '/sessions/:referenceNumber/invoices/failed')) return 'sessionInvoiceList';
  if (method === 'GET' && path.startsWith('/sessions/')) return 'sessionMisc';
  if (method === 'POST' && path === '/invoices/query/metadata') return 'invoiceMetadata';
  if (method === 'POST' && path === '/invoices/exports') return 'invoiceExport';
  if (method === 'GET' && path === '/invoices/exports/:referenceNumber') return 'invoiceExportStatus';
  if (method === 'GET' && path === '/invoices/ksef/:ksefNumber') return 'invoiceDownload';
  return 'other';
}
