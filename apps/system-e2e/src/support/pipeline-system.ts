import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Envelope } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, type KafkaClient, type ReceivedMessage } from '@ksef-bridge/kafka';
import { newEnvelope } from '@ksef-bridge/outbox';
import {
  createTestDatabase,
  freePort,
  jaegerOtlpEndpoint,
  randomGroup,
  spawnLogged,
  startPrivateKafka,
  startSimulator,
  stopProcess,
  waitFor,
  type PrivateKafka,
  type SimulatorProcess,
  type TestDatabase,
} from '@ksef-bridge/testing';

/**
 * The whole system as built processes, the way an operator runs it: a private Kafka (fixed topic and group names
 * never meet another run's), one fresh database for the services (each in its own schema), the built simulator as
 * KSeF on its own database, and intake, validator, sender, status-poller and notifier from dist/. Services can be
 * SIGKILLed and restarted; an ERP can publish on the Kafka door or post over HTTP.
 */
export const PIPELINE_APPS = ['intake', 'validator', 'sender', 'status-poller', 'notifier'] as const;
export type PipelineApp = (typeof PIPELINE_APPS)[number];

const root = join(__dirname, '../../../..');
const INTERNAL_TOKEN = 'e2e-internal-token';

export interface InvoiceView {
  id: string;
  erpDocumentId: string;
  state: string;
  ksefNumber?: string;
  traceId?: string;
  history: Array<{ from?: string; to: string; actor: string; details?: Record<string, unknown> }>;
}

export interface Collected {
  messages: ReceivedMessage[];
  of(type: string): Envelope[];
  stop(): Promise<void>;
}

export interface PipelineSystemOptions {
  /** Seller NIPs registered as KSeF contexts of the tenant (each gets a KSeF token from the simulator). */
  contexts: string[];
  tenant?: string;
  /** Extra environment per app (e.g. short retry delays). */
  env?: Partial<Record<PipelineApp, Record<string, string>>>;
  simulatorEnv?: Record<string, string>;
  /** Export traces to the local Jaeger. Default false (a 1,000-invoice run would flood it). */
  traces?: boolean;
}

export class PipelineSystem {
  readonly logDir = mkdtempSync(join(tmpdir(), 'ksef-system-'));
  readonly urls = {} as Record<PipelineApp, string>;
  readonly tenant: string;
  apiKey = '';
  private readonly children = new Map<PipelineApp, ChildProcess>();
  private readonly ports = {} as Record<PipelineApp, number>;
  private readonly collectors: Collected[] = [];
  private kafkaClient!: KafkaClient;
  private publisher!: KafkaPublisher;
  kafka!: PrivateKafka;
  db!: TestDatabase;
  simulator!: SimulatorProcess;

  constructor(private readonly options: PipelineSystemOptions) {
    this.tenant = options.tenant ?? 'erp-e2e';
  }

  async start(): Promise<void> {
    this.kafka = await startPrivateKafka();
    this.db = await createTestDatabase('system_e2e');
    this.simulator = await startSimulator({ build: false, env: { SIM_PROCESSING_DELAY_MS: '50', SIM_RATE_LIMITS: 'off', ...this.options.simulatorEnv } });
    this.kafkaClient = createKafka({ brokers: this.kafka.brokers, clientId: 'system-e2e' });
    this.publisher = new KafkaPublisher(this.kafkaClient);
    for (const app of PIPELINE_APPS) this.ports[app] = await freePort();
    for (const app of PIPELINE_APPS) this.urls[app] = `http://127.0.0.1:${this.ports[app]}`;

    const output = this.command('intake', ['create-tenant', this.tenant, 'E2E ERP']);
    this.apiKey = output.split('\n').find((line) => line.startsWith('ksb_')) ?? '';
    if (!this.apiKey) throw new Error(`create-tenant printed no key: ${output}`);
    for (const nip of this.options.contexts) {
      const token = await this.seedKsefToken(nip);
      this.command('sender', ['register-context', '--nip', nip, '--tenant', this.tenant, '--token', '-'], token);
    }
    for (const app of PIPELINE_APPS) await this.startApp(app);
  }

  /** Runs a CLI command of a built app (migrations run first inside the command). */
  command(app: PipelineApp, args: string[], stdin?: string): string {
    return execFileSync(process.execPath, [join(root, 'dist/apps', app, 'main.js'), ...args], { env: this.env(app), input: stdin, timeout: 120_000 }).toString();
  }

  async startApp(app: PipelineApp): Promise<void> {
    const child = spawnLogged(process.execPath, ['--enable-source-maps', join(root, 'dist/apps', app, 'main.js')], join(this.logDir, `${app}.log`), { env: this.env(app) });
    this.children.set(app, child);
    await waitFor(async () => (await fetch(`${this.urls[app]}/health`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, what: `${app} ready (log: ${this.logDir}/${app}.log)` });
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it is. */
  async kill(app: PipelineApp): Promise<void> {
    await stopProcess(this.children.get(app), 'SIGKILL');
    this.children.delete(app);
  }

  async restart(app: PipelineApp): Promise<void> {
    await this.kill(app);
    await this.startApp(app);
  }

  /** Posts an invoice as an ERP does: a connection refused while intake restarts is retried with the same Idempotency-Key. */
  async post(erpDocumentId: string, xml: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: InvoiceView }> {
    // Exact bytes travel as base64, so intake sees (and hashes) what the ERP holds.
    const document = typeof xml === 'string' ? { xml } : { xmlBase64: xml.toString('base64') };
    return waitFor(
      async () => {
        const res = await fetch(`${this.urls.intake}/v1/invoices`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.apiKey}`, 'idempotency-key': `idem-${erpDocumentId}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ erpDocumentId, ...document }),
        }).catch(() => undefined);
        if (!res || res.status >= 500) return undefined;
        return { status: res.status, body: (await res.json()) as InvoiceView };
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `POST ${erpDocumentId}` },
    );
  }

  /** Publishes on the Kafka door (ksef.erp.invoice-submitted.v1). */
  async publishErp(erpDocumentId: string, xml: string, traceparent?: string): Promise<void> {
    const payload = { erpDocumentId, xmlBase64: Buffer.from(xml).toString('base64') };
    const envelope = newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: erpDocumentId, tenant: this.tenant, payload, traceparent });
    await this.publisher.publish('ksef.erp.invoice-submitted.v1', envelope);
  }

  /** The tenant's invoices by ERP document id, read from intake's own tables (the HTTP API pages; this is the test's view). */
  async invoicesByErpId(): Promise<Map<string, { id: string; state: string; ksef_number: string | null }>> {
    const rows = (await this.query(`SELECT id, erp_document_id, state, ksef_number FROM intake.invoices WHERE tenant_id = $1`, [this.tenant])) as Array<{ id: string; erp_document_id: string; state: string; ksef_number: string | null }>;
    return new Map(rows.map((r) => [r.erp_document_id, r]));
  }

  async invoice(id: string): Promise<InvoiceView> {
    const res = await fetch(`${this.urls.intake}/v1/invoices/${id}`, { headers: { authorization: `Bearer ${this.apiKey}` } });
    return (await res.json()) as InvoiceView;
  }

  async query(sql: string, params: unknown[] = []): Promise<unknown[]> {
    const client = new Client(this.db.config);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** How many times KSeF (the simulator) received each invoice hash: the proof that nothing was submitted twice. */
  async ksefCopiesByHash(): Promise<Map<string, number>> {
    const client = new Client(this.simulator.database.config);
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT invoice_hash, count(*)::int AS n FROM ksef_simulator.invoices GROUP BY invoice_hash`);
      return new Map((rows as Array<{ invoice_hash: string; n: number }>).map((r) => [r.invoice_hash, r.n]));
    } finally {
      await client.end();
    }
  }

  /** Collects every message on `topics` from the beginning (its own consumer group). */
  async collect(...topics: string[]): Promise<Collected> {
    const messages: ReceivedMessage[] = [];
    const runner = new KafkaConsumerRunner(this.kafkaClient, { groupId: randomGroup('system-e2e'), topics, fromBeginning: true, handler: async (batch) => void messages.push(...batch) });
    await runner.start();
    const collected: Collected = { messages, of: (type) => messages.map((m) => m.envelope).filter((e) => e.type === type), stop: () => runner.stop() };
    this.collectors.push(collected);
    return collected;
  }

  async simulatorAdmin(path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.simulator.origin}/admin/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`simulator admin ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  async stop(): Promise<void> {
    await Promise.all(this.collectors.map((c) => c.stop().catch(() => undefined)));
    for (const app of [...PIPELINE_APPS].reverse()) await stopProcess(this.children.get(app));
    await this.publisher?.disconnect().catch(() => undefined);
    await this.simulator?.stop();
    await this.db?.drop();
    await this.kafka?.destroy();
  }

  private async seedKsefToken(nip: string): Promise<string> {
    const body = (await this.simulatorAdmin('ksef-tokens', { contextIdentifier: { type: 'Nip', value: nip } })) as { token: string };
    return body.token;
  }

  private env(app: PipelineApp): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      HTTP_PORT: String(this.ports[app] ?? 0),
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: this.kafka.brokers.join(','),
      PGDATABASE: this.db.config.database,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      INTAKE_URL: this.urls.intake,
      SENDER_URL: this.urls.sender,
      KSEF_BASE_URL: this.simulator.apiBaseUrl,
      KSEF_RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: this.options.traces ? jaegerOtlpEndpoint() : '',
      OTEL_ENABLED: this.options.traces ? 'true' : 'false',
    };
    return { ...base, ...this.options.env?.[app] };
  }
}
