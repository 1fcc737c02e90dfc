import { RandomPool } from './random-pool';

describe('RandomPool', () => {
  it('hands out each byte once, across block refills', () => {
    const pool = new RandomPool(32);
    const taken = Array.from({ length: 20 }, () => pool.take(10));
    expect(taken.every((b) => b.length === 10)).toBe(true);
    // 20 x 10 random bytes: any repeat would mean a byte was handed out twice (or the generator is broken).
    expect(new Set(taken.map((b) => b.toString('hex'))).size).toBe(20);
  });

  it('returns copies that later takes do not change, and serves oversized requests directly', () => {
    const pool = new RandomPool(16);
    const first = pool.take(8);
    const copy = Buffer.from(first);
    pool.take(8);
    pool.take(8);
    expect(first.equals(copy)).toBe(true);
    expect(pool.take(100)).toHaveLength(100);
    expect(pool.hex(6)).toMatch(/^[0-9A-F]{12}$/);
  });
});
