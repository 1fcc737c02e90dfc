import { PermanentError, TransientError } from '@ksef-bridge/errors';
import { classifyNetworkError, classifyResponse, parseRetryAfter } from './classify';
import { KsefAmbiguousError, KsefAuthError, KsefLogicalError, KsefProtocolError, KsefRateLimitError, KsefTransportError } from './ksef-errors';
import { parseKsefErrorBody } from './ksef-error-body';

const facts = { operation: 'sendInvoice', method: 'POST', path: '/sessions/online/X/invoices', referenceNumbers: { sessionReferenceNumber: '20250626-SO-2F14610000-242991F8C9-B4' } };

const exceptionBody = {
  exception: {
    exceptionDetailList: [{ exceptionCode: 21405, exceptionDescription: 'Błąd walidacji danych wejściowych.', details: ['invoiceHash: wrong length'] }],
    referenceNumber: '20250626-EX-0000000000-0000000000-01',
    serviceCode: 'x',
    timestamp: '2025-06-26T10:00:00Z',
  },
};

describe('parseKsefErrorBody', () => {
  it('reads ExceptionResponse codes and reference number', () => {
    const parsed = parseKsefErrorBody(exceptionBody);
    expect(parsed.exceptionCodes).toEqual([21405]);
    expect(parsed.referenceNumber).toBe('20250626-EX-0000000000-0000000000-01');
    expect(parsed.summary).toContain('21405');
  });

  it('reads problem details (errors[], traceId, reasonCode)', () => {
    const parsed = parseKsefErrorBody({ title: 'Forbidden', status: 403, reasonCode: 'ip-not-allowed', traceId: 'abc', errors: [{ code: 21180, description: 'Status sesji nie pozwala', details: [] }] });
    expect(parsed.exceptionCodes).toEqual([21180]);
    expect(parsed.traceId).toBe('abc');
    expect(parsed.reasonCode).toBe('ip-not-allowed');
  });

  it('reads the legacy 429 body and tolerates garbage', () => {
    expect(parseKsefErrorBody({ status: { code: 429, description: 'Too Many Requests' } }).summary).toBe('429 Too Many Requests');
    expect(parseKsefErrorBody('<html>bad gateway</html>').exceptionCodes).toEqual([]);
    expect(parseKsefErrorBody(null).exceptionCodes).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  it('accepts delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(new Date(1_000_000 + 5_000).toUTCString(), 1_000_000)).toBe(5_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('classifyResponse', () => {
  it('429 is a retriable rate limit carrying Retry-After', () => {
    const error = classifyResponse({ status: 429, headers: { 'retry-after': '7' }, body: { status: { code: 429, description: 'Too Many Requests' } } }, facts, false);
    expect(error).toBeInstanceOf(KsefRateLimitError);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as KsefRateLimitError).retryAfterMs).toBe(7_000);
    expect(error.code).toBe('KSEF_RATE_LIMITED');
  });

  it('401 is unauthorized, or a retriable token expiry when our clock says the token expired', () => {
    const plain = classifyResponse({ status: 401, headers: {}, body: { title: 'Unauthorized', status: 401 } }, facts, true);
    expect(plain).toBeInstanceOf(KsefAuthError);
    expect(plain.code).toBe('KSEF_UNAUTHORIZED');
    expect(plain.retriable).toBe(false);
    const expired = classifyResponse({ status: 401, headers: {}, body: '' }, facts, true, { tokenExpired: true });
    expect(expired.code).toBe('KSEF_TOKEN_EXPIRED');
    expect(expired.retriable).toBe(true);
  });

  it('403 is a permanent auth error with the reason code', () => {
    const error = classifyResponse({ status: 403, headers: {}, body: { title: 'Forbidden', reasonCode: 'missing-permissions' } }, facts, true) as KsefAuthError;
    expect(error.code).toBe('KSEF_FORBIDDEN');
    expect(error.reasonCode).toBe('missing-permissions');
    expect(error.retriable).toBe(false);
  });

  it('400 with exception codes is logical and keeps the full body and reference numbers', () => {
    const error = classifyResponse({ status: 400, headers: {}, body: exceptionBody }, facts, false) as KsefLogicalError;
    expect(error).toBeInstanceOf(KsefLogicalError);
    expect(error.retriable).toBe(false);
    expect(error.hasExceptionCode(21405)).toBe(true);
    expect(error.responseBody).toEqual(exceptionBody);
    expect(error.facts.referenceNumbers).toEqual({ sessionReferenceNumber: facts.referenceNumbers.sessionReferenceNumber, ksefErrorReference: '20250626-EX-0000000000-0000000000-01' });
    expect(error.facts.httpStatus).toBe(400);
  });

  it('keeps the response body out of the message and of toJSON (it may quote invoice data)', () => {
    const error = classifyResponse({ status: 400, headers: {}, body: exceptionBody }, facts, false);
    expect(error.message).not.toContain('wrong length');
    expect(JSON.stringify(error.toJSON())).not.toContain('wrong length');
    expect(Object.keys(error)).not.toContain('responseBody');
  });

  it('codes that resolve by themselves (21165 not yet available, 21178 UPO not found) are retriable', () => {
    const body = { exception: { exceptionDetailList: [{ exceptionCode: 21165, exceptionDescription: 'not yet' }] } };
    expect(classifyResponse({ status: 400, headers: {}, body }, facts, true).retriable).toBe(true);
  });

  it('5xx is transport on a repeatable call and ambiguous on a call with effects', () => {
    const transport = classifyResponse({ status: 503, headers: {}, body: '' }, facts, true);
    expect(transport).toBeInstanceOf(KsefTransportError);
    expect(transport.code).toBe('KSEF_SERVER_ERROR');
    const ambiguous = classifyResponse({ status: 502, headers: {}, body: '' }, facts, false);
    expect(ambiguous).toBeInstanceOf(KsefAmbiguousError);
    expect(ambiguous.retriable).toBe(true);
    expect(ambiguous.code).toBe('KSEF_OUTCOME_UNKNOWN');
  });

  it('410 is logical (gone) and an unexpected 2xx/3xx is a protocol violation', () => {
    expect(classifyResponse({ status: 410, headers: {}, body: {} }, facts, true).code).toBe('KSEF_GONE');
    const odd = classifyResponse({ status: 302, headers: {}, body: '' }, facts, true);
    expect(odd).toBeInstanceOf(KsefProtocolError);
    expect(odd).toBeInstanceOf(PermanentError);
  });
});

describe('classifyNetworkError', () => {
  const err = (code: string): Error => Object.assign(new Error(code), { code });

  it('refused / DNS before sending are transport even for sends', () => {
    expect(classifyNetworkError(err('ECONNREFUSED'), facts, false, false).code).toBe('KSEF_CONNECTION_FAILED');
    expect(classifyNetworkError(err('ENOTFOUND'), facts, false, false).code).toBe('KSEF_DNS_FAILED');
    expect(classifyNetworkError(err('UND_ERR_CONNECT_TIMEOUT'), facts, false, false).code).toBe('KSEF_TIMEOUT');
  });

  it('timeouts and resets after sending are ambiguous for sends and transport for reads', () => {
    expect(classifyNetworkError(err('ECONNRESET'), facts, false, false)).toBeInstanceOf(KsefAmbiguousError);
    expect(classifyNetworkError(new Error('aborted'), facts, false, true)).toBeInstanceOf(KsefAmbiguousError);
    expect(classifyNetworkError(err('ECONNRESET'), facts, true, false).code).toBe('KSEF_CONNECTION_FAILED');
    expect(classifyNetworkError(new Error('aborted'), facts, true, true).code).toBe('KSEF_TIMEOUT');
  });

  it('finds the code in a cause chain', () => {
    const wrapped = new Error('fetch failed', { cause: err('EAI_AGAIN') });
    expect(classifyNetworkError(wrapped, facts, true, false).code).toBe('KSEF_DNS_FAILED');
  });
});
