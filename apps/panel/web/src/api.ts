/** The BFF's /api: same origin, session cookie, and the CSRF header on every mutation. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-panel-request'] = '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api${path}`, { method, headers, credentials: 'same-origin', body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? res.statusText);
  return json as T;
}

export interface Me {
  username: string;
  role: 'accountant' | 'operator' | 'admin';
  tenantId: string | null;
  can: { retry: boolean; cancel: boolean; resubmit: boolean; acknowledge: boolean; allTenants: boolean; manageUsers: boolean };
  states: Array<{ state: string; labelPl: string }>;
}

export interface ListItem {
  id: string;
  tenantId: string;
  erpDocumentId: string;
  state: string;
  contextNip: string | null;
  invoiceNumber: string | null;
  ksefNumber: string | null;
  createdAt: string;
  updatedAt: string;
  lastErrorCode: string | null;
}

export interface HistoryEntry {
  at: string;
  from?: string;
  to: string;
  actor: string;
  ksefReferenceNumber?: string;
  ksefNumber?: string;
  httpStatus?: number;
  errorCode?: string;
  details?: Record<string, unknown>;
}

export interface Attempt {
  attempt: number;
  counted: boolean;
  startedAt: string;
  finishedAt: string;
  outcome: string;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  exceptionCodes: number[] | null;
  errorBody: unknown;
  sessionReferenceNumber: string | null;
}

export interface Detail {
  invoice: {
    id: string;
    tenantId: string;
    erpDocumentId: string;
    state: string;
    stateLabelPl: string;
    contextNip?: string;
    invoiceNumber?: string;
    ksefNumber?: string;
    acquisitionDate?: string;
    traceId?: string;
    metadata: Record<string, string>;
    createdAt: string;
    updatedAt: string;
    history: HistoryEntry[];
    upoXml?: string;
    documentXml?: string;
  };
  sending: { job: { state: string; attempts: number; nextAttemptAt: string; lastErrorCode: string | null }; attempts: Attempt[] } | null | { unavailable: string };
  audit: Array<{ id: string; at: string; username: string; role: string; action: string; reason: string; outcome: string }>;
  acknowledgement: { username: string; note: string; at: string } | null;
}
