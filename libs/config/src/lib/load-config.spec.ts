import { z } from 'zod';
import { ConfigError } from '@ksef-bridge/errors';
import { envBoolean, envInt, envList, loadConfig } from './load-config';
import { databaseConfig, loadServiceConfig } from './common';

describe('loadConfig', () => {
  const schema = z.object({ A: envInt(5, 1, 10), B: envBoolean(false), C: envList(['x']) });

  it('applies documented defaults', () => {
    expect(loadConfig(schema, {})).toEqual({ A: 5, B: false, C: ['x'] });
  });

  it('coerces strings', () => {
    expect(loadConfig(schema, { A: '7', B: 'true', C: 'a, b' })).toEqual({ A: 7, B: true, C: ['a', 'b'] });
  });

  it('lists every problem at once', () => {
    try {
      loadConfig(schema, { A: '99', B: 'maybe' });
      throw new Error('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toMatch(/A:/);
      expect((e as ConfigError).message).toMatch(/B:/);
    }
  });

  it('builds a service config with common settings', () => {
    const c = loadServiceConfig('intake', 3001, { EXTRA: z.string().default('e') }, { PGPORT: '6543' });
    expect(c.HTTP_PORT).toBe(3001);
    expect(c.KAFKA_CLIENT_ID).toBe('intake');
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.EXTRA).toBe('e');
    expect(databaseConfig(c).port).toBe(6543);
    expect(c.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it('treats an empty optional variable as unset but still validates a set one', () => {
    expect(loadServiceConfig('intake', 3001, {}, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadServiceConfig('intake', 3001, {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://127.0.0.1:4318');
    expect(() => loadServiceConfig('intake', 3001, {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
