import { constants, createCipheriv, createHash, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { createLogger } from '@ksef-bridge/observability';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@ksef-bridge/testing';
import { KsefSimulatorModule } from '../src/app.module';
import type { SimulatorSettings } from '../src/domain/simulator-settings';
import { configureSimulatorHttp } from '../src/http/simulator-http.setup';

export const TEST_SETTINGS: SimulatorSettings = {
  mode: 'test',
  adminEnabled: true,
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 604_800,
  authTokenTtlSeconds: 3_600,
  processingDelayMs: 20,
  authDelayMs: 10,
  clockScale: 1,
  rateLimits: 'off',
  faultSeed: 7,
  // Checks in the test's own thread (a worker thread from TypeScript sources needs ts-node: seconds per boot);
  // processing-worker.int.spec.ts covers the worker, SIM_TEST_PROCESSING_WORKERS=1 runs any suite with it.
  processingWorkers: Number(process.env.SIM_TEST_PROCESSING_WORKERS ?? 0),
};

export interface RunningSimulator {
  url: string;
  service: RunningService;
  db: TestDatabase;
  /** Restarts the app on the same database (durability tests). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function boot(settings: SimulatorSettings, db: TestDatabase): Promise<RunningService> {
  return bootstrapService({
    serviceName: 'ksef-simulator-test',
    module: KsefSimulatorModule.forRoot(settings, { ...db.config, poolSize: 8 }),
    http: { port: 0, host: '127.0.0.1' },
    globalPrefix: 'v2',
    bodyLimitBytes: 110_000_000,
    configure: (app) => configureSimulatorHttp(app),
    telemetry: { forceFlush: async () => undefined, shutdown: async () => undefined },
    signals: [],
    logger: createLogger({ serviceName: 'ksef-simulator-test', level: 'silent' }),
  });
}

/** Boots the simulator in-process on port 0 against a fresh PostgreSQL database. */
export async function startSimulator(overrides: Partial<SimulatorSettings> = {}): Promise<RunningSimulator> {
  const db = await createTestDatabase('ksef_sim');
  const settings = { ...TEST_SETTINGS, ...overrides };
  const sim: RunningSimulator = {
    url: '',
    service: await boot(settings, db),
    db,
    async restart() {
      await sim.service.close();
      sim.service = await boot(settings, db);
      sim.url = sim.service.url;
    },
    async close() {
      await sim.service.close();
      await db.drop();
    },
  };
  sim.url = sim.service.url;
  return sim;
}

export interface Json {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** A minimal client written from the official docs only (the simulator may not import our ksef-client). */
export class DocClient {
  accessToken?: string;
  refreshToken?: string;
  /** Every /v2 response, for the OpenAPI conformance check. */
  readonly recorded: { method: string; path: string; status: number; contentType: string; body: unknown }[] = [];

  constructor(readonly sim: RunningSimulator) {}

  async call(method: string, path: string, options: { body?: unknown; xml?: string; token?: string | null; headers?: Record<string, string> } = {}): Promise<Json> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.accessToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (options.xml !== undefined) {
      headers['content-type'] = 'application/xml';
      body = options.xml;
    }
    const res = await fetch(`${this.sim.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (path.startsWith('/v2/')) {
      const contentType = res.headers.get('content-type') ?? '';
      this.recorded.push({ method, path, status: res.status, contentType, body: contentType.includes('json') ? parsed : text });
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async certificate(usage: 'KsefTokenEncryption' | 'SymmetricKeyEncryption'): Promise<X509Certificate> {
    const res = await this.call('GET', '/v2/security/public-key-certificates', { token: null });
    const entry = (res.body as { certificate: string; usage: string[] }[]).find((c) => c.usage.includes(usage));
    if (!entry) throw new Error(`no certificate for ${usage}`);
    return new X509Certificate(Buffer.from(entry.certificate, 'base64'));
  }

  async seedToken(nip: string, permissions?: string[]): Promise<string> {
    const res = await this.call('POST', '/admin/ksef-tokens', { body: { contextIdentifier: { type: 'Nip', value: nip }, ...(permissions ? { permissions } : {}) }, token: null });
    if (res.status !== 201) throw new Error(`seed token failed: ${res.status} ${res.text}`);
    return (res.body as { token: string }).token;
  }

  /** Challenge -> encrypted KSeF token -> poll status -> redeem. Returns the auth operation reference. */
  async authenticateWithToken(nip: string, ksefToken: string): Promise<string> {
    const challenge = (await this.call('POST', '/v2/auth/challenge', { token: null })).body as { challenge: string; timestampMs: number };
    const cert = await this.certificate('KsefTokenEncryption');
    const encryptedToken = publicEncrypt(
      { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from(`${ksefToken}|${challenge.timestampMs}`),
    ).toString('base64');
    const init = await this.call('POST', '/v2/auth/ksef-token', { body: { challenge: challenge.challenge, contextIdentifier: { type: 'Nip', value: nip }, encryptedToken }, token: null });
    if (init.status !== 202) throw new Error(`auth init failed ${init.status} ${init.text}`);
    const { referenceNumber, authenticationToken } = init.body as { referenceNumber: string; authenticationToken: { token: string } };
    await waitFor(async () => {
      const status = await this.call('GET', `/v2/auth/${referenceNumber}`, { token: authenticationToken.token });
      if (status.body.status.code >= 400) throw new Error(`auth failed: ${JSON.stringify(status.body.status)}`);
      return status.body.status.code === 200;
    }, { timeoutMs: 10_000, intervalMs: 20, what: 'auth status 200' });
    const redeem = await this.call('POST', '/v2/auth/token/redeem', { token: authenticationToken.token });
    if (redeem.status !== 200) throw new Error(`redeem failed ${redeem.status} ${redeem.text}`);
    this.accessToken = redeem.body.accessToken.token;
    this.refreshToken = redeem.body.refreshToken.token;
    return referenceNumber;
  }
}

/** Per-session crypto material, as a client builds it. */
export class SessionCrypto {
  readonly key = randomBytes(32);
  readonly iv = randomBytes(16);

  encryptionInfo(cert: X509Certificate) {
    return {
      encryptedSymmetricKey: publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, this.key).toString('base64'),
      initializationVector: this.iv.toString('base64'),
    };
  }

  encrypt(data: Buffer): Buffer {
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  }

  sendRequest(xml: string | Buffer, extra: Record<string, unknown> = {}) {
    const plain = Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8');
    const encrypted = this.encrypt(plain);
    return {
      invoiceHash: sha256(plain),
      invoiceSize: plain.length,
      encryptedInvoiceHash: sha256(encrypted),
      encryptedInvoiceSize: encrypted.length,
      encryptedInvoiceContent: encrypted.toString('base64'),
      ...extra,
    };
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

export const FA3 = { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' };
export const FA2 = { systemCode: 'FA (2)', schemaVersion: '1-0E', value: 'FA' };
