import { randomInt } from 'node:crypto';
import { completeNip } from '@ksef-bridge/ksef-spec';
import { startSimulator, type SimulatorProcess, type StartSimulatorOptions } from '@ksef-bridge/testing';
import { KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, type KsefClientOptions } from '../src';

/**
 * Simulator-backed fixture for the client's e2e tests: the BUILT simulator process, its admin API (the simulator's
 * own fault injection and seeding, not KSeF), and clients pointed at it. Nothing here imitates KSeF.
 */
export interface SimFixture {
  sim: SimulatorProcess;
  admin: SimAdmin;
  /** A client for a fresh random NIP, authenticating with a KSeF token seeded through the admin API. */
  newClient(overrides?: Partial<KsefClientOptions> & { nip?: string }): Promise<{ client: KsefClient; nip: string; token: string }>;
  stop(): Promise<void>;
}

export interface FaultRequest {
  type: 'error5xx' | 'slow' | 'timeout' | 'drop' | 'rateLimit' | 'outage' | 'stuckProcessing';
  /** fastify route, e.g. `POST /v2/sessions/online/:referenceNumber/invoices`. */
  endpoint?: string;
  probability?: number;
  count?: number;
  statuses?: number[];
  delayMs?: number;
  retryAfterSeconds?: number;
  durationMs?: number;
}

export class SimAdmin {
  constructor(private readonly origin: string) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`admin ${path} → ${res.status}: ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  addFault(fault: FaultRequest): Promise<{ id: string }> {
    return this.post('/admin/faults', fault);
  }

  resetFaults(): Promise<void> {
    return this.post('/admin/faults/reset', {});
  }

  seedKsefToken(nip: string): Promise<{ referenceNumber: string; token: string }> {
    return this.post('/admin/ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } });
  }

  resetRateLimitCounters(): Promise<void> {
    return this.post('/admin/rate-limits/reset-counters', {});
  }
}

/** A random valid NIP (checksum ok), so tests never share a context. */
export function randomNip(): string {
  for (;;) {
    const nip = completeNip(`${randomInt(1, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`);
    if (nip && !/^\d0{2}/.test(nip)) return nip;
  }
}

export async function startSimFixture(options: StartSimulatorOptions = {}): Promise<SimFixture> {
  const sim = await startSimulator(options);
  const admin = new SimAdmin(sim.origin);
  const clients: KsefClient[] = [];
  return {
    sim,
    admin,
    async newClient(overrides = {}) {
      const nip = overrides.nip ?? randomNip();
      const { token } = await admin.seedKsefToken(nip);
      const client = new KsefClient({
        baseUrl: sim.apiBaseUrl,
        context: { type: 'Nip', value: nip },
        credentials: { type: 'ksef-token', token },
        rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }),
        authPollIntervalMs: 50,
        ...overrides,
      });
      clients.push(client);
      return { client, nip, token };
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.stop();
    },
  };
}
