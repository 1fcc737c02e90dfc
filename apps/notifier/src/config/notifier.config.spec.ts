import { DEV_MASTER_KEY, loadNotifierConfig } from './notifier.config';

describe('notifier configuration', () => {
  it('defaults: port 3005, dev master key flagged, webhook retry defaults', () => {
    const c = loadNotifierConfig({});
    expect(c).toMatchObject({ HTTP_PORT: 3005, NOTIFIER_MASTER_KEY: DEV_MASTER_KEY, usesDevMasterKey: true, production: false, NOTIFIER_WEBHOOK_MAX_ATTEMPTS: 16, NOTIFIER_WEBHOOK_TIMEOUT_MS: 10_000 });
    expect(Buffer.from(DEV_MASTER_KEY, 'base64')).toHaveLength(32);
  });

  it('production refuses a missing or development master key', () => {
    expect(() => loadNotifierConfig({ NODE_ENV: 'production' })).toThrow(/NOTIFIER_MASTER_KEY: required in production/);
    expect(() => loadNotifierConfig({ NODE_ENV: 'production', NOTIFIER_MASTER_KEY: DEV_MASTER_KEY })).toThrow(/NOTIFIER_MASTER_KEY/);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadNotifierConfig({ NODE_ENV: 'production', NOTIFIER_MASTER_KEY: key })).toMatchObject({ production: true, usesDevMasterKey: false });
  });

  it('lists every problem: lease too short for the timeout, max delay below base, out-of-range numbers', () => {
    let message = '';
    try {
      loadNotifierConfig({ NOTIFIER_LEASE_MS: '15000', NOTIFIER_WEBHOOK_TIMEOUT_MS: '10000', NOTIFIER_WEBHOOK_RETRY_BASE_MS: '5000', NOTIFIER_WEBHOOK_RETRY_MAX_MS: '1000' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/NOTIFIER_LEASE_MS/);
    expect(message).toMatch(/NOTIFIER_WEBHOOK_RETRY_MAX_MS/);
    expect(() => loadNotifierConfig({ NOTIFIER_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/NOTIFIER_WEBHOOK_MAX_ATTEMPTS/);
  });
});
