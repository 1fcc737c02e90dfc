import { checkWebhookUrl } from './webhook-url';

describe('webhook URL policy (SSRF guard)', () => {
  it('production: https to public hosts only', () => {
    expect(checkWebhookUrl('https://erp.example.com/hooks/ksef?x=1#frag', true).toString()).toBe('https://erp.example.com/hooks/ksef?x=1');
    expect(() => checkWebhookUrl('http://erp.example.com/hooks', true)).toThrow(/https in production/);
    for (const host of ['localhost', '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '[::1]', '[fd00::1]', '0.0.0.0']) {
      expect(() => checkWebhookUrl(`https://${host}/x`, true)).toThrow(/internal address/);
    }
  });

  it('development: https anywhere, http only to loopback', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', false).host).toBe('127.0.0.1:8080');
    expect(checkWebhookUrl('http://localhost/hook', false).hostname).toBe('localhost');
    expect(checkWebhookUrl('https://10.0.0.5/hook', false).hostname).toBe('10.0.0.5');
    expect(() => checkWebhookUrl('http://erp.example.com/hook', false)).toThrow(/only to localhost/);
  });

  it('refuses other schemes, credentials in the URL and garbage', () => {
    expect(() => checkWebhookUrl('ftp://erp.example.com/x', false)).toThrow(/https/);
    expect(() => checkWebhookUrl('https://user:pw@erp.example.com/x', false)).toThrow(/credentials/);
    expect(() => checkWebhookUrl('erp.example.com/x', false)).toThrow(/absolute URL/);
  });
});
