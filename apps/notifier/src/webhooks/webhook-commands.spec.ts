import { isWebhookCommand, parseFlags } from './webhook-commands';

describe('webhook CLI flags', () => {
  it('reads --name value pairs and --all', () => {
    expect(parseFlags(['--tenant', 'acme', '--url', 'https://x.example/h', '--all'])).toEqual({ tenant: 'acme', url: 'https://x.example/h', all: 'true' });
    expect(() => parseFlags(['--tenant'])).toThrow(/usage/);
    expect(() => parseFlags(['acme'])).toThrow(/unexpected 'acme'/);
  });

  it('knows its commands and leaves the others to runService', () => {
    expect(isWebhookCommand('register-webhook')).toBe(true);
    expect(isWebhookCommand('migrate')).toBe(false);
    expect(isWebhookCommand(undefined)).toBe(false);
  });
});
