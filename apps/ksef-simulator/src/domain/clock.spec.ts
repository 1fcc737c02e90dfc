import { SimClock } from './clock';

describe('SimClock', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('runs `scale` simulated seconds per real second and converts timer delays back', () => {
    const clock = new SimClock(3600);
    const start = clock.now();
    jest.advanceTimersByTime(1_000);
    expect(clock.now() - start).toBe(3_600_000);
    expect(clock.toRealMs(3_600_000)).toBe(1_000);
  });

  it('stays continuous when the scale changes, and can jump forward', () => {
    const clock = new SimClock(1);
    jest.advanceTimersByTime(500);
    const before = clock.now();
    clock.setScale(10);
    expect(clock.now()).toBe(before);
    jest.advanceTimersByTime(100);
    expect(clock.now()).toBe(before + 1_000);
    clock.advance(60_000);
    expect(clock.now()).toBe(before + 61_000);
  });
});
