import { PermanentError, TransientError } from '@ksef-bridge/errors';
import { KsefAmbiguousError, KsefAuthError, KsefLogicalError, KsefProtocolError, KsefRateLimitError, KsefTransportError } from '@ksef-bridge/ksef-client';
import { classifyFailure } from './failure-facts';

const facts = (over: Record<string, unknown> = {}) => ({ operation: 'sendInvoice', method: 'POST', path: '/sessions/online/SO-1/invoices', referenceNumbers: { sessionReferenceNumber: 'SO-1' }, ...over });

describe('failure classification', () => {
  it('an unanswered send is ambiguous; an unanswered session open is a plain transport failure', () => {
    const lost = new KsefAmbiguousError('no answer', { facts: facts({ httpStatus: 502 }), responseBody: 'Bad Gateway' });
    expect(classifyFailure(lost, true)).toMatchObject({ outcome: 'ambiguous', retriable: true, ksefUnavailable: true, record: { httpStatus: 502, errorBody: 'Bad Gateway', errorCode: 'KSEF_OUTCOME_UNKNOWN' } });
    expect(classifyFailure(lost, false)).toMatchObject({ outcome: 'transport', retriable: true });
  });

  it('an answer the spec does not allow, to a send, leaves the outcome unknown too', () => {
    const odd = new KsefProtocolError('not JSON', { facts: facts({ httpStatus: 202 }) });
    expect(classifyFailure(odd, true).outcome).toBe('ambiguous');
    expect(classifyFailure(odd, false)).toMatchObject({ outcome: 'error', retriable: false });
  });

  it('429 carries Retry-After and counts as an answer', () => {
    const limited = new KsefRateLimitError('slow down', 7000, { facts: facts({ httpStatus: 429 }) });
    expect(classifyFailure(limited, true)).toMatchObject({ outcome: 'rate-limited', retryAfterMs: 7000, ksefAnswered: true, ksefUnavailable: false });
  });

  it('transport failures are retriable and say KSeF is not answering', () => {
    expect(classifyFailure(new KsefTransportError('KSEF_CONNECTION_FAILED', 'refused', { facts: facts({ networkCode: 'ECONNREFUSED' }) }), false)).toMatchObject({ outcome: 'transport', retriable: true, ksefUnavailable: true });
  });

  it('logical rejections keep their exception codes; 21180 means the session is gone, not the invoice', () => {
    const rejected = new KsefLogicalError('bad request', { facts: facts({ httpStatus: 400, exceptionCodes: [21405] }), responseBody: { exception: { exceptionDetailList: [{ exceptionCode: 21405 }] } } });
    expect(classifyFailure(rejected, true)).toMatchObject({ outcome: 'rejected', retriable: false, sessionGone: false, record: { exceptionCodes: [21405], httpStatus: 400 } });
    const closed = new KsefLogicalError('closed', { facts: facts({ httpStatus: 400, exceptionCodes: [21180] }) });
    expect(classifyFailure(closed, true)).toMatchObject({ outcome: 'error', code: 'KSEF_SESSION_CLOSED', retriable: true, sessionGone: true });
  });

  it('a refused technical correction (21166 a valid correction exists, 21167 the original was accepted) is a final rejection with KSeF body', () => {
    for (const code of [21166, 21167]) {
      const body = { exception: { exceptionDetailList: [{ exceptionCode: code, exceptionDescription: 'Korekta techniczna niedostępna.' }] } };
      const refused = new KsefLogicalError('refused', { facts: facts({ httpStatus: 400, exceptionCodes: [code] }), responseBody: body });
      expect(classifyFailure(refused, true)).toMatchObject({
        outcome: 'rejected',
        retriable: false,
        code: 'KSEF_TECHNICAL_CORRECTION_REFUSED',
        ksefAnswered: true,
        ksefUnavailable: false,
        sessionGone: false,
        record: { exceptionCodes: [code], httpStatus: 400, errorBody: body },
      });
    }
  });

  it('auth failures are retriable only when a new token fixes them', () => {
    expect(classifyFailure(new KsefAuthError('KSEF_TOKEN_EXPIRED', 'expired', true, { facts: facts({ httpStatus: 401 }) }), true)).toMatchObject({ outcome: 'auth', retriable: true });
    expect(classifyFailure(new KsefAuthError('KSEF_FORBIDDEN', 'no', false, { facts: facts({ httpStatus: 403 }) }), true)).toMatchObject({ outcome: 'auth', retriable: false, code: 'KSEF_FORBIDDEN' });
  });

  it('claim-check and unknown failures keep their codes; unknown ones are retried', () => {
    expect(classifyFailure(new PermanentError('CLAIM_CHECK_MISMATCH', 'altered'), false)).toMatchObject({ outcome: 'error', retriable: false, code: 'CLAIM_CHECK_MISMATCH', ksefAnswered: false, ksefUnavailable: false });
    expect(classifyFailure(new TransientError('CLAIM_CHECK_UNAVAILABLE', 'down'), false)).toMatchObject({ outcome: 'error', retriable: true });
    expect(classifyFailure(new Error('boom'), false)).toMatchObject({ outcome: 'error', retriable: true, code: 'UNEXPECTED' });
  });
});
