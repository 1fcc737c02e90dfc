import { latarniaUrlFor } from '../availability/latarnia-url';
import { DEV_MASTER_KEY, loadSenderConfig } from './sender.config';

describe('sender configuration', () => {
  it('runs locally with the documented defaults and the development master key', () => {
    const c = loadSenderConfig({});
    expect(c).toMatchObject({ KSEF_BASE_URL: 'http://127.0.0.1:3100/v2', SENDER_MAX_ATTEMPTS: 8, SENDER_RETRY_DELAYS_MS: [30_000, 120_000], SENDER_MASTER_KEY: DEV_MASTER_KEY, usesDevMasterKey: true });
  });

  it('switches to batch sessions at production-sized thresholds by default, within KSeF limits', () => {
    expect(loadSenderConfig({})).toMatchObject({ SENDER_BATCH_BACKLOG_THRESHOLD: 100, SENDER_BATCH_QUEUE_AGE_MS: 900_000, SENDER_BATCH_MAX_INVOICES: 1_000, SENDER_BATCH_MAX_BYTES: 50_000_000 });
    expect(() => loadSenderConfig({ SENDER_BATCH_MAX_INVOICES: '10001' })).toThrow(/SENDER_BATCH_MAX_INVOICES/);
  });

  it('refuses to start in production without a real master key', () => {
    expect(() => loadSenderConfig({ NODE_ENV: 'production' })).toThrow(/SENDER_MASTER_KEY/);
    expect(() => loadSenderConfig({ NODE_ENV: 'production', SENDER_MASTER_KEY: DEV_MASTER_KEY })).toThrow(/SENDER_MASTER_KEY/);
    const real = Buffer.alloc(32, 7).toString('base64');
    expect(loadSenderConfig({ NODE_ENV: 'production', SENDER_MASTER_KEY: real })).toMatchObject({ SENDER_MASTER_KEY: real, usesDevMasterKey: false });
  });

  it('parses the retry schedule and refuses nonsense', () => {
    expect(loadSenderConfig({ SENDER_RETRY_DELAYS_MS: '100, 200,300' }).SENDER_RETRY_DELAYS_MS).toEqual([100, 200, 300]);
    expect(() => loadSenderConfig({ SENDER_RETRY_DELAYS_MS: 'soon' })).toThrow(/SENDER_RETRY_DELAYS_MS/);
    expect(() => loadSenderConfig({ SENDER_MAX_ATTEMPTS: '0' })).toThrow(/SENDER_MAX_ATTEMPTS/);
  });

  it('takes KSEF_LATARNIA_URL as a URL or off, and derives it from the KSeF environment when unset', () => {
    expect(loadSenderConfig({}).KSEF_LATARNIA_URL).toBeUndefined();
    expect(loadSenderConfig({ KSEF_LATARNIA_URL: 'off' }).KSEF_LATARNIA_URL).toBe('off');
    expect(() => loadSenderConfig({ KSEF_LATARNIA_URL: 'lighthouse' })).toThrow(/KSEF_LATARNIA_URL/);
    expect(latarniaUrlFor('https://api-test.ksef.mf.gov.pl/v2')).toBe('https://api-latarnia-test.ksef.mf.gov.pl');
    expect(latarniaUrlFor('https://api-demo.ksef.mf.gov.pl/v2')).toBe('https://api-latarnia-test.ksef.mf.gov.pl');
    expect(latarniaUrlFor('https://api.ksef.mf.gov.pl/v2')).toBe('https://api-latarnia.ksef.mf.gov.pl');
    expect(latarniaUrlFor(loadSenderConfig({}).KSEF_BASE_URL)).toBe('http://127.0.0.1:3100/latarnia');
    expect(latarniaUrlFor('https://api.ksef.mf.gov.pl/v2', 'https://mirror.example/latarnia/')).toBe('https://mirror.example/latarnia');
    expect(latarniaUrlFor('https://api.ksef.mf.gov.pl/v2', 'off')).toBeUndefined();
  });
});
