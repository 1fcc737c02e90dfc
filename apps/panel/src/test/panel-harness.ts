import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, testKafkaBrokers, type TestDatabase } from '@ksef-bridge/testing';
import { AuthRepository } from '../auth/auth.repository';
import type { Role } from '../auth/access-policy';
import { hashPassword } from '../auth/password';
import { config, panelBodyLimitBytes, platform } from '../config/panel.config';
import { panelAppModule } from '../panel.module';

/** What a stub backend was asked: method, path, query and body. */
export interface BackendCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization?: string;
}

/** `raw`: send these bytes as they are (a proxy's HTML page, a truncated body) instead of `body` as JSON. */
export type BackendAnswer = (call: BackendCall) => { status: number; body: unknown; raw?: string };

/** A stand-in for intake's or the sender's /internal/v1/panel API that records every call. */
export interface StubBackend {
  url: string;
  calls: BackendCall[];
  answer: BackendAnswer;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

export async function startStubBackend(answer: BackendAnswer): Promise<StubBackend> {
  const stub = { calls: [] as BackendCall[], answer } as StubBackend;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const call: BackendCall = { method: req.method ?? 'GET', path: url.pathname.replace('/internal/v1/panel', ''), query: Object.fromEntries(url.searchParams), body: await readBody(req), authorization: req.headers.authorization };
    stub.calls.push(call);
    const { status, body, raw } = stub.answer(call);
    res.writeHead(status, { 'content-type': raw === undefined ? 'application/json' : 'text/html' }).end(raw ?? JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}

export interface PanelHarness {
  url: string;
  service: RunningService;
  dataSource: DataSource;
  createUser(username: string, role: Role, tenantId: string | null, password: string): Promise<void>;
  close(): Promise<void>;
}

/** A real panel (Nest app, own database) talking to the given backends. */
export async function startPanel(backends: { intakeUrl: string; senderUrl: string }, options: { maxFailures?: number } = {}): Promise<PanelHarness> {
  const db: TestDatabase = await createTestDatabase('panel');
  const testConfig = { ...config, KAFKA_BROKERS: testKafkaBrokers(), PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
  const service = await bootstrapService({
    serviceName: 'panel',
    module: panelAppModule(
      { ...platform, config: testConfig },
      {
        schema: platform.schema,
        intakeUrl: backends.intakeUrl,
        senderUrl: backends.senderUrl,
        internalApiToken: 'panel-harness-internal-token',
        sessionTtlMs: 3_600_000,
        cookieSecure: false,
        login: { maxFailures: options.maxFailures ?? 5, lockMs: 60_000 },
        webDir: '/nonexistent',
        backendTimeoutMs: 5_000,
        passwordHashCost: { N: 1 << 10, r: 8, p: 1 },
      },
    ),
    http: { port: 0, host: '127.0.0.1' },
    bodyLimitBytes: panelBodyLimitBytes(config.PANEL_MAX_DOCUMENT_BYTES),
    telemetry: startTelemetry({ serviceName: 'panel-test', enabled: false }),
    signals: [],
    logger: createLogger({ serviceName: 'panel', level: 'warn' }),
  });
  const dataSource = service.app.get(DataSource);
  return {
    url: service.url,
    service,
    dataSource,
    async createUser(username, role, tenantId, password) {
      await new AuthRepository(platform.schema).upsertUser(dataSource, { username, role, tenantId, passwordHash: await hashPassword(password, { N: 1 << 10, r: 8, p: 1 }) });
    },
    async close() {
      await service.close();
      await db.drop();
    },
  };
}
