import type { Logger } from '@ksef-bridge/observability';
import { RoundLoop } from './round-loop';

const logger = { error: jest.fn() } as unknown as Logger;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('RoundLoop', () => {
  it('runs rounds back to back while they find work, waits when idle, and survives a failed round', async () => {
    const results = [3, 2, 0, -1, 1, 0];
    const delays: number[] = [];
    let rounds = 0;
    const loop = new RoundLoop(
      'test',
      async () => {
        const r = results[rounds++] ?? 0;
        if (r < 0) throw new Error('database down');
        return r;
      },
      (count) => {
        delays.push(count);
        return count > 0 ? 0 : 1;
      },
      logger,
    );
    loop.start();
    for (let i = 0; i < 40 && rounds < results.length; i++) await tick();
    await loop.stop();
    expect(rounds).toBeGreaterThanOrEqual(results.length);
    expect(delays.slice(0, 6)).toEqual([3, 2, 0, 0, 1, 0]);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), 'test round failed');
  });

  it('lets the current round finish on stop and starts no other', async () => {
    let release!: () => void;
    let rounds = 0;
    const loop = new RoundLoop('test', () => { rounds += 1; return new Promise<number>((r) => (release = () => r(1))); }, () => 0, logger);
    loop.start();
    await tick();
    expect(loop.stopped).toBe(false);
    const stopping = loop.stop();
    expect(loop.stopped).toBe(true);
    release();
    await stopping;
    await tick();
    expect(rounds).toBe(1);
  });
});
