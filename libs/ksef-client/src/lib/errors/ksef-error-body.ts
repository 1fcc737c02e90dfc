/**
 * Reads the error bodies KSeF documents (API.md §1): `ExceptionResponse` (400 JSON), problem details
 * (`application/problem+json`: 400 with `X-Error-Format: problem-details`, 401, 403, 410, 429) and the legacy 429 body.
 * Unknown shapes are kept as they are; parsing never throws.
 */
export interface KsefExceptionDetail {
  exceptionCode: number;
  exceptionDescription: string;
  details?: string[];
}

export interface ParsedKsefErrorBody {
  /** Documented exception codes (e.g. 21405), in the order KSeF listed them. */
  exceptionCodes: number[];
  exceptions: KsefExceptionDetail[];
  /** KSeF's own reference of the failed request (`exception.referenceNumber`), when present. */
  referenceNumber?: string;
  /** Problem-details trace id, when present. */
  traceId?: string;
  /** 403 `reasonCode` (`missing-permissions`, `ip-not-allowed`, …). */
  reasonCode?: string;
  /** Short human description made only of KSeF's codes and titles (never of request data). */
  summary?: string;
}

/** Parses a body that is already JSON-decoded (or a string when it was not JSON). */
export function parseKsefErrorBody(body: unknown): ParsedKsefErrorBody {
  const out: ParsedKsefErrorBody = { exceptionCodes: [], exceptions: [] };
  if (!isRecord(body)) return out;

  const exception = body['exception'];
  if (isRecord(exception)) {
    const list = Array.isArray(exception['exceptionDetailList']) ? exception['exceptionDetailList'] : [];
    for (const item of list) {
      if (!isRecord(item)) continue;
      const code = Number(item['exceptionCode']);
      if (!Number.isFinite(code)) continue;
      out.exceptions.push({
        exceptionCode: code,
        exceptionDescription: String(item['exceptionDescription'] ?? ''),
        details: stringArray(item['details']),
      });
    }
    if (typeof exception['referenceNumber'] === 'string') out.referenceNumber = exception['referenceNumber'];
  }

  if (Array.isArray(body['errors'])) {
    for (const item of body['errors']) {
      if (!isRecord(item)) continue;
      const code = Number(item['code']);
      if (!Number.isFinite(code)) continue;
      out.exceptions.push({ exceptionCode: code, exceptionDescription: String(item['description'] ?? ''), details: stringArray(item['details']) });
    }
  }
  if (typeof body['traceId'] === 'string') out.traceId = body['traceId'];
  if (typeof body['reasonCode'] === 'string') out.reasonCode = body['reasonCode'];

  out.exceptionCodes = out.exceptions.map((e) => e.exceptionCode);
  if (out.exceptions.length > 0) {
    out.summary = out.exceptions.map((e) => `${e.exceptionCode} ${e.exceptionDescription}`.trim()).join('; ');
  } else if (typeof body['title'] === 'string') {
    out.summary = [body['title'], out.reasonCode].filter(Boolean).join(': ');
  } else if (isRecord(body['status']) && typeof body['status']['description'] === 'string') {
    out.summary = `${String(body['status']['code'] ?? '')} ${body['status']['description']}`.trim();
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => String(v)) : undefined;
}
