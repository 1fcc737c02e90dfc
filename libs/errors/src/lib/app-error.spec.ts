import { AppError, PermanentError, TransientError, ValidationError, isRetriable, toAppError } from './app-error';

describe('error taxonomy', () => {
  it('keeps code, retriable flag, details and cause', () => {
    const cause = new Error('ECONNRESET');
    const e = new TransientError('DB_UNAVAILABLE', 'database down', { cause, details: { host: 'db' } });
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('DB_UNAVAILABLE');
    expect(e.retriable).toBe(true);
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('TransientError');
    expect(e.toJSON()).toMatchObject({ code: 'DB_UNAVAILABLE', retriable: true, details: { host: 'db' } });
  });

  it('treats unknown errors as permanent so they cannot block a partition', () => {
    const e = toAppError(new TypeError('x is undefined'));
    expect(e.code).toBe('UNEXPECTED_ERROR');
    expect(e.retriable).toBe(false);
    expect(toAppError('boom').message).toBe('boom');
    expect(isRetriable(new Error('plain'))).toBe(false);
  });

  it('passes AppErrors through unchanged', () => {
    const v = new ValidationError('bad payload');
    expect(toAppError(v)).toBe(v);
    expect(v).toBeInstanceOf(PermanentError);
    expect(isRetriable(v)).toBe(false);
  });
});
