import { createHmac } from 'node:crypto';
import { computeSignature, generateWebhookSecret, signatureHeader, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"e1","type":"notification.invoice-accepted","payload":{"ksefNumber":"x"}}';
  const ts = 1_764_000_000;

  it('is hex HMAC-SHA256 over "<timestamp>.<body>" keyed by the whole secret string (what integrators recompute)', () => {
    expect(computeSignature(secret, ts, body)).toBe(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'));
    expect(signatureHeader(secret, ts, body)).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('verifies within the tolerance and refuses a changed body, another secret, a stale or missing timestamp', () => {
    const header = signatureHeader(secret, ts, body);
    const ok = { secret, body, timestampHeader: String(ts), signatureHeader: header, nowSeconds: ts + 10 };
    expect(verifyWebhookSignature(ok)).toBe(true);
    expect(verifyWebhookSignature({ ...ok, body: body.replace('"x"', '"y"') })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, secret: 'whsec_other' })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, nowSeconds: ts + 301 })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, timestampHeader: String(ts + 1) })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, timestampHeader: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, signatureHeader: 'v1=zz' })).toBe(false);
  });

  it('accepts any of several v1 entries (room for signing with two secrets during a rotation)', () => {
    const header = `v1=${'0'.repeat(64)}, ${signatureHeader(secret, ts, body)}`;
    expect(verifyWebhookSignature({ secret, body, timestampHeader: String(ts), signatureHeader: header, nowSeconds: ts })).toBe(true);
  });

  it('generates distinct secrets with 32 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
