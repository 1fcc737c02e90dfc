import { loadStatusPollerConfig } from './status-poller.config';

describe('status-poller configuration', () => {
  it('runs locally with the documented defaults', () => {
    expect(loadStatusPollerConfig({})).toMatchObject({
      HTTP_PORT: 3004,
      KSEF_BASE_URL: 'http://127.0.0.1:3100/v2',
      SENDER_URL: 'http://127.0.0.1:3003',
      POLLER_BACKOFF_MS: [1_000, 2_000, 5_000, 15_000, 60_000],
      POLLER_JITTER: 0.2,
      POLLER_VERDICT_DEADLINE_MS: 3_600_000,
      POLLER_UPO_WAIT_MS: 600_000,
      POLLER_UPO_LATE_INTERVAL_MS: 300_000,
      POLLER_ESCALATED_INTERVAL_MS: 900_000,
      POLLER_ESCALATED_WATCH_MS: 604_800_000,
      POLLER_LEASE_MS: 60_000,
      POLLER_LIST_MIN_ROWS: 2,
    });
    expect(loadStatusPollerConfig({}).INTERNAL_API_TOKEN).toBeUndefined();
  });

  it('parses the backoff list and refuses nonsense, naming the variable', () => {
    expect(loadStatusPollerConfig({ POLLER_BACKOFF_MS: '100, 200,300' }).POLLER_BACKOFF_MS).toEqual([100, 200, 300]);
    expect(() => loadStatusPollerConfig({ POLLER_BACKOFF_MS: 'soon' })).toThrow(/POLLER_BACKOFF_MS/);
    expect(() => loadStatusPollerConfig({ POLLER_JITTER: '2' })).toThrow(/POLLER_JITTER/);
    expect(() => loadStatusPollerConfig({ SENDER_URL: 'not a url' })).toThrow(/SENDER_URL/);
    expect(() => loadStatusPollerConfig({ INTERNAL_API_TOKEN: 'short' })).toThrow(/INTERNAL_API_TOKEN/);
    expect(loadStatusPollerConfig({ POLLER_ESCALATED_WATCH_MS: '0' }).POLLER_ESCALATED_WATCH_MS).toBe(0);
    expect(() => loadStatusPollerConfig({ POLLER_ESCALATED_INTERVAL_MS: '0' })).toThrow(/POLLER_ESCALATED_INTERVAL_MS/);
  });
});
