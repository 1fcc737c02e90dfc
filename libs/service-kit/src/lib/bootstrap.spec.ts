import { Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createLogger } from '@ksef-bridge/observability';
import { bootstrapService, type RunningService } from './bootstrap';
import { HealthRegistry } from './health-registry';

const state = { healthy: true, stoppedInOrder: [] as string[] };

@Injectable()
class FakeDependency implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}
  onModuleInit() {
    this.health.register('fake-broker', async () => {
      if (!state.healthy) throw new Error('broker unreachable');
    });
  }
  onApplicationShutdown() {
    state.stoppedInOrder.push('dependency');
  }
}

@Module({ providers: [FakeDependency] })
class TestAppModule {}

describe('bootstrapService', () => {
  let service: RunningService;
  let flushed = 0;

  beforeAll(async () => {
    service = await bootstrapService({
      serviceName: 'kit-test',
      module: TestAppModule,
      http: { port: 0, host: '127.0.0.1' },
      telemetry: { forceFlush: async () => undefined, shutdown: async () => void flushed++ },
      signals: [],
      logger: createLogger({ serviceName: 'kit-test', level: 'silent' }),
    });
  });

  it('serves liveness and readiness with registered checks', async () => {
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    const ok = await fetch(`${service.url}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', info: { 'fake-broker': { status: 'up' } } });

    state.healthy = false;
    const down = await fetch(`${service.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'error', error: { 'fake-broker': { status: 'down', message: 'broker unreachable' } } });
    state.healthy = true;
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('process_cpu_user_seconds_total{service="kit-test"}');
  });

  it('closes gracefully: shutdown hooks run and telemetry is flushed once', async () => {
    await Promise.all([service.close(), service.close()]);
    expect(state.stoppedInOrder).toEqual(['dependency']);
    expect(flushed).toBe(1);
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });
});
