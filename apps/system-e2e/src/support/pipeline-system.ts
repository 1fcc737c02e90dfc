import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { topicSpecs, type Envelope } from '@ksef-bridge/contracts';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type KafkaClient, type ReceivedMessage } from '@ksef-bridge/kafka';
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
  /** The services' database (e.g. on a private PostgreSQL a test restarts); default: a fresh one on the shared server. */
  database?: TestDatabase;
  /** Export traces to the local Jaeger. Default false (a 1,000-invoice run would flood it). */
  traces?: boolean;
  /**
   * Partitions of every contract topic, created before any service starts (services leave existing topics alone).
   * Default: the contracts' default (6), created by the services themselves.
   */
  partitions?: number;
  /**
   * Put a round-robin TCP balancer (a Kubernetes Service, in miniature) in front of each app: `urls[app]`, and the
   * INTAKE_URL / SENDER_URL the services call, reach any live instance, so any instance may be killed. Default false:
   * `urls[app]` is instance 0 itself.
   */
  balanced?: boolean;
}

/** Which instance of an app (0, the one `start()` launches, unless given). */
export interface InstanceOptions {
  instance?: number;
  /** How long `startApp` waits for readiness (default 90 s; joining consumer groups mid-rebalance takes longer). */
  readyTimeoutMs?: number;
}

const instanceKey = (app: PipelineApp, instance: number): string => (instance === 0 ? app : `${app}#${instance}`);

export class PipelineSystem {
  readonly logDir = mkdtempSync(join(tmpdir(), 'ksef-system-'));
  readonly urls = {} as Record<PipelineApp, string>;
  readonly tenant: string;
  apiKey = '';
  /** Running instances by key (`intake`, `intake#1`, …) and their ports; instance 0 uses `ports[app]`. */
  private readonly children = new Map<string, ChildProcess>();
  private readonly instancePorts = new Map<string, number>();
  private readonly ready = new Set<string>();
  private readonly balancers: Server[] = [];
  private readonly balancedSockets = new Set<Socket>();
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
    this.db = this.options.database ?? (await createTestDatabase('system_e2e'));
    this.simulator = await startSimulator({ build: false, env: { SIM_PROCESSING_DELAY_MS: '50', SIM_RATE_LIMITS: 'off', ...this.options.simulatorEnv } });
    this.kafkaClient = createKafka({ brokers: this.kafka.brokers, clientId: 'system-e2e' });
    this.publisher = new KafkaPublisher(this.kafkaClient);
    if (this.options.partitions) await new TopicAdmin(this.kafkaClient).ensureTopics(topicSpecs(this.options.partitions));
    for (const app of PIPELINE_APPS) this.ports[app] = await freePort();
    for (const app of PIPELINE_APPS) this.instancePorts.set(app, this.ports[app]);
    for (const app of PIPELINE_APPS) this.urls[app] = this.options.balanced ? await this.startBalancer(app) : `http://127.0.0.1:${this.ports[app]}`;

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

  /** Starts an instance of an app (default 0) on its own port with its own log (`<app>.log`, `<app>-<n>.log`). */
  async startApp(app: PipelineApp, { instance = 0, readyTimeoutMs = 90_000 }: InstanceOptions = {}): Promise<void> {
    const key = instanceKey(app, instance);
    if (!this.instancePorts.has(key)) this.instancePorts.set(key, await freePort());
    const port = this.instancePorts.get(key) as number;
    const log = this.logFile(app, instance);
    const child = spawnLogged(process.execPath, ['--enable-source-maps', join(root, 'dist/apps', app, 'main.js')], log, { env: { ...this.env(app), HTTP_PORT: String(port) } });
    this.children.set(key, child);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200, { timeoutMs: readyTimeoutMs, what: `${key} ready (log: ${log})` });
    this.ready.add(key);
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it is. */
  async kill(app: PipelineApp, { instance = 0 }: InstanceOptions = {}): Promise<void> {
    const key = instanceKey(app, instance);
    this.ready.delete(key);
    await stopProcess(this.children.get(key), 'SIGKILL');
    this.children.delete(key);
  }

  async restart(app: PipelineApp, options: InstanceOptions = {}): Promise<void> {
    await this.kill(app, options);
    await this.startApp(app, options);
  }

  /** The base URL of one instance (not the balancer). */
  instanceUrl(app: PipelineApp, instance = 0): string {
    const port = this.instancePorts.get(instanceKey(app, instance));
    if (port === undefined) throw new Error(`${instanceKey(app, instance)} was never started`);
    return `http://127.0.0.1:${port}`;
  }

  logFile(app: PipelineApp, instance = 0): string {
    return join(this.logDir, instance === 0 ? `${app}.log` : `${app}-${instance}.log`);
  }

  /** One instance's /metrics text. */
  async metrics(app: PipelineApp, instance = 0): Promise<string> {
    const res = await fetch(`${this.instanceUrl(app, instance)}/metrics`);
    if (!res.ok) throw new Error(`${instanceKey(app, instance)} /metrics: ${res.status}`);
    return res.text();
  }

  /**
   * Posts an invoice as an ERP does: a connection refused while intake restarts is retried with the same Idempotency-Key.
   * `fields`: more of the request body (e.g. `offline`, `technicalCorrectionOf`).
   */
  async post(erpDocumentId: string, xml: string | Buffer, headers: Record<string, string> = {}, via?: InstanceOptions, fields: Record<string, unknown> = {}): Promise<{ status: number; body: InvoiceView }> {
    // Exact bytes travel as base64, so intake sees (and hashes) what the ERP holds.
    const document = typeof xml === 'string' ? { xml } : { xmlBase64: xml.toString('base64') };
    return waitFor(
      async () => {
        const res = await fetch(`${via?.instance === undefined ? this.urls.intake : this.instanceUrl('intake', via.instance)}/v1/invoices`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.apiKey}`, 'idempotency-key': `idem-${erpDocumentId}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ erpDocumentId, ...document, ...fields }),
        }).catch(() => undefined);
        if (!res || res.status >= 500) return undefined;
        return { status: res.status, body: (await res.json()) as InvoiceView };
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `POST ${erpDocumentId}` },
    );
  }

  /** Publishes on the Kafka door (ksef.erp.invoice-submitted.v1); `fields`: more of the payload (e.g. `offline`). */
  async publishErp(erpDocumentId: string, xml: string, traceparent?: string, fields: Record<string, unknown> = {}): Promise<void> {
    const payload = { erpDocumentId, xmlBase64: Buffer.from(xml).toString('base64'), ...fields };
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
    return res.status === 204 ? undefined : res.json();
  }

  async stop(): Promise<void> {
    await Promise.all(this.collectors.map((c) => c.stop().catch(() => undefined)));
    for (const app of [...PIPELINE_APPS].reverse()) {
      const keys = [...this.children.keys()].filter((key) => key === app || key.startsWith(`${app}#`));
      await Promise.all(keys.map((key) => stopProcess(this.children.get(key))));
    }
    // Kept-alive connections would hold a balancer open: cut them.
    for (const socket of this.balancedSockets) socket.destroy();
    await Promise.all(this.balancers.map((server) => new Promise((resolve) => server.close(resolve))));
    await this.publisher?.disconnect().catch(() => undefined);
    await this.simulator?.stop();
    await this.db?.drop();
    await this.kafka?.destroy();
  }

  /**
   * A TCP balancer for one app: each connection goes to the next ready instance (round robin); one that refuses the
   * connection (just killed) is skipped, like an endpoint whose pod is gone.
   */
  private async startBalancer(app: PipelineApp): Promise<string> {
    const port = await freePort();
    let next = 0;
    const server = createServer((client) => {
      this.balancedSockets.add(client);
      client.once('close', () => this.balancedSockets.delete(client));
      client.pause();
      const backends = [...this.ready].filter((key) => key === app || key.startsWith(`${app}#`)).map((key) => this.instancePorts.get(key) as number);
      const tryBackend = (tries: number): void => {
        if (tries >= backends.length) return void client.destroy();
        const upstream: Socket = createConnection({ host: '127.0.0.1', port: backends[next++ % backends.length] });
        upstream.once('error', () => (upstream.bytesWritten === 0 && !client.destroyed ? tryBackend(tries + 1) : client.destroy()));
        upstream.once('connect', () => {
          upstream.removeAllListeners('error');
          upstream.on('error', () => client.destroy());
          client.on('error', () => upstream.destroy());
          client.once('close', () => upstream.destroy());
          upstream.once('close', () => client.destroy());
          client.pipe(upstream).pipe(client);
          client.resume();
        });
      };
      tryBackend(0);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.balancers.push(server);
    return `http://127.0.0.1:${port}`;
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
      PGHOST: this.db.config.host,
      PGPORT: String(this.db.config.port),
      PGUSER: this.db.config.user,
      PGPASSWORD: this.db.config.password,
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
