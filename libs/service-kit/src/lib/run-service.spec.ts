import { parseReplayArgs } from './run-service';

describe('replay-dead-letters arguments', () => {
  it('takes a topic, codes, a start time and a dry-run flag', () => {
    expect(parseReplayArgs(['--topic', 'ksef.invoice.validated.v1', '--code', 'DB_UNAVAILABLE', '--code', 'X', '--since', '2026-11-25T10:00:00Z', '--dry-run'])).toEqual({
      topic: 'ksef.invoice.validated.v1',
      codes: ['DB_UNAVAILABLE', 'X'],
      since: new Date('2026-11-25T10:00:00Z'),
      dryRun: true,
    });
  });

  it.each([
    [[], /usage/],
    [['--topic'], /needs a value/],
    [['--topic', 't', '--since', 'yesterday'], /not a date/],
    [['--topic', 't.dlt'], /original topic/],
    [['--topic', 't', '--force'], /unknown argument/],
  ])('refuses %j', (args, message) => {
    expect(() => parseReplayArgs(args as string[])).toThrow(message);
  });
});
