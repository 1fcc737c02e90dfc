import { classifyStatus, describeTransportError } from './response-classification';

describe('classification of webhook answers', () => {
  it('2xx delivered; 408, 429 and 5xx retried; redirects and other 4xx dead at once', () => {
    expect([200, 201, 202, 204, 299].map(classifyStatus)).toEqual(Array(5).fill('delivered'));
    expect([408, 429, 500, 502, 503, 504].map(classifyStatus)).toEqual(Array(6).fill('retriable'));
    expect([301, 302, 307, 400, 401, 403, 404, 405, 409, 410, 413, 422].map(classifyStatus)).toEqual(Array(12).fill('permanent'));
  });

  it('names timeouts and connection failures', () => {
    const timeout = new Error('The operation was aborted due to timeout');
    timeout.name = 'TimeoutError';
    expect(describeTransportError(timeout)).toMatch(/^timeout/);
    expect(describeTransportError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe('connection: ECONNREFUSED');
    expect(describeTransportError('weird')).toBe('connection: weird');
  });
});
