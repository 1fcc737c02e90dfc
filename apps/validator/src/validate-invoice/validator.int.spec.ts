import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deadLetterTopic, type Envelope } from '@ksef-bridge/contracts';
import { createKafka, DLT_HEADER, KafkaConsumerRunner, KafkaPublisher, TopicAdmin, type ReceivedMessage } from '@ksef-bridge/kafka';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { createLogger, startTelemetry } from '@ksef-bridge/observability';
import { newEnvelope } from '@ksef-bridge/outbox';
import { bootstrapService, type RunningService } from '@ksef-bridge/service-kit';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, uniqueSuffix, waitFor, type TestDatabase } from '@ksef-bridge/testing';
import { config, platform } from '../config/validator.config';
import { validatorAppModule } from '../validator.module';
import type { ValidatorTopics } from '../validator.settings';

// The validator against real Kafka and PostgreSQL. Intake's claim-check endpoint is played by a small HTTP server
// holding documents (apps cannot import apps); it checks the internal token like intake does.
describe('validator service', () => {
  const brokers = testKafkaBrokers();
  const token = 'internal-token-0123456789';
  const topics: ValidatorTopics = { invoiceReceived: randomTopic('received'), invoiceValidated: randomTopic('validated'), invoiceInvalid: randomTopic('invalid') };
  const documents = new Map<string, Buffer>();
  const reads: string[] = [];
  /** Answers 503 to this many document reads: intake restarting. */
  let intakeDownFor = 0;
  let refusedReads = 0;
  let db: TestDatabase;
  let documentServer: Server;
  let service: RunningService;
  let publisher: KafkaPublisher;
  const seen: ReceivedMessage[] = [];
  let collector: KafkaConsumerRunner;
  const client = createKafka({ brokers, clientId: 'validator-test' });

  beforeAll(async () => {
    db = await createTestDatabase('validator');
    documentServer = createServer((req, res) => {
      const id = /^\/internal\/v1\/invoices\/([^/]+)\/document$/.exec(req.url ?? '')?.[1];
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      const doc = id ? documents.get(id) : undefined;
      if (!id || !doc) return void res.writeHead(404).end();
      if (intakeDownFor > 0) {
        intakeDownFor -= 1;
        refusedReads += 1;
        return void res.writeHead(503).end();
      }
      reads.push(id);
      res.writeHead(200, { 'content-type': 'application/xml' }).end(doc);
    });
    await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
    const intakeUrl = `http://127.0.0.1:${(documentServer.address() as AddressInfo).port}`;
    const testConfig = { ...config, KAFKA_BROKERS: brokers, PGHOST: db.config.host, PGPORT: db.config.port, PGUSER: db.config.user, PGPASSWORD: db.config.password, PGDATABASE: db.config.database, DB_POOL_SIZE: 4 };
    service = await bootstrapService({
      serviceName: 'validator',
      module: validatorAppModule({ ...platform, config: testConfig }, { schema: platform.schema, topics, consumerGroupPrefix: `${uniqueSuffix(8)}.`, intakeUrl, internalApiToken: token, claimCheckTimeoutMs: 5_000 }),
      http: { port: 0, host: '127.0.0.1' },
      telemetry: startTelemetry({ serviceName: 'validator-test', enabled: false }),
      signals: [],
      logger: createLogger({ serviceName: 'validator', level: 'warn' }),
    });
    publisher = new KafkaPublisher(client);
    collector = new KafkaConsumerRunner(client, {
      groupId: randomGroup('verdicts'),
      topics: [topics.invoiceValidated, topics.invoiceInvalid, deadLetterTopic(topics.invoiceReceived)],
      fromBeginning: true,
      handler: async (batch) => void seen.push(...batch),
    });
    await collector.start();
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await service?.close();
    await publisher?.disconnect();
    await new Promise((resolve) => documentServer?.close(resolve));
    const all = Object.values(topics);
    await new TopicAdmin(client).deleteTopics([...all, ...all.map(deadLetterTopic)]).catch(() => undefined);
    await db?.drop();
  }, 60_000);

  const receive = async (xml: string, options: { tamper?: boolean; extra?: Record<string, unknown> } = {}): Promise<Envelope> => {
    const invoiceId = randomUUID();
    const bytes = Buffer.from(xml, 'utf8');
    documents.set(invoiceId, options.tamper ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes);
    const envelope = newEnvelope({
      type: 'invoice.received',
      version: 1,
      aggregateId: invoiceId,
      tenant: 'acme',
      payload: { invoiceId, erpDocumentId: `ERP-${invoiceId.slice(0, 8)}`, document: { invoiceId, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length }, receivedAt: new Date().toISOString(), ...options.extra },
    });
    await publisher.publish(topics.invoiceReceived, envelope);
    return envelope;
  };
  const verdictOf = (invoiceId: string) => seen.filter((m) => (m.envelope.payload as { invoiceId?: string }).invoiceId === invoiceId && m.topic !== deadLetterTopic(topics.invoiceReceived));
  // Yesterday: the sample's creation time (08:00 UTC on the issue date) must not lie in the future at any hour.
  const today = new Date(Date.now() - 24 * 3_600_000).toISOString().slice(0, 10);

  it('emits invoice.validated keyed by the KSeF context NIP', async () => {
    const received = await receive(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'FV/OK/1', issueDate: today }));
    const invoiceId = received.aggregateId;
    const [verdict] = await waitFor(() => verdictOf(invoiceId).length > 0 && verdictOf(invoiceId), { what: 'verdict', timeoutMs: 30_000 });
    expect(verdict.topic).toBe(topics.invoiceValidated);
    expect(verdict.key).toBe('5261040828');
    expect(verdict.envelope).toMatchObject({ type: 'invoice.validated', tenant: 'acme', payload: { invoiceId, contextNip: '5261040828', form: 'FA(3)', invoiceNumber: 'FV/OK/1', invoiceType: 'VAT', issueDate: today } });
  });

  it('emits invoice.invalid with every issue, and only once for a redelivered event', async () => {
    const xml = buildSampleInvoice({ sellerNip: '5261040829', buyerNip: '5265877636', invoiceNumber: 'FV/BAD/1', issueDate: today });
    const received = await receive(xml);
    await publisher.publish(topics.invoiceReceived, received);
    const invoiceId = received.aggregateId;
    const [verdict] = await waitFor(() => verdictOf(invoiceId).length > 0 && verdictOf(invoiceId), { what: 'verdict', timeoutMs: 30_000 });
    expect(verdict.topic).toBe(topics.invoiceInvalid);
    expect(verdict.key).toBe(invoiceId);
    expect(verdict.envelope.payload).toMatchObject({
      stage: 'rules',
      issues: [
        { code: 'NIP_CHECKSUM', xpath: '/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP' },
        { code: 'NIP_CHECKSUM', xpath: '/Faktura/Podmiot2/DaneIdentyfikacyjne/NIP' },
      ],
    });
    // A later event proves the redelivery was consumed too; it must not have produced a second verdict.
    const marker = await receive(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'FV/OK/2', issueDate: today }));
    await waitFor(() => verdictOf(marker.aggregateId).length > 0, { what: 'marker verdict', timeoutMs: 30_000 });
    await waitFor(() => reads.filter((r) => r === invoiceId).length === 2, { what: 'both deliveries read', timeoutMs: 30_000 });
    expect(verdictOf(invoiceId)).toHaveLength(1);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/ksef_validator_verdicts_total\{[^}]*verdict="invalid",stage="rules"[^}]*\} 1\n/);
  });

  it('dead-letters an event whose document does not match its claim check', async () => {
    const received = await receive(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'FV/T/1', issueDate: today }), { tamper: true });
    const dead = await waitFor(() => seen.find((m) => m.topic === deadLetterTopic(topics.invoiceReceived) && m.envelope.id === received.id), { what: 'dead letter', timeoutMs: 30_000 });
    expect(dead.envelope.headers[DLT_HEADER.errorCode]).toBe('CLAIM_CHECK_MISMATCH');
    expect(verdictOf(received.aggregateId)).toHaveLength(0);
  });

  it('waits out intake being down for longer than the retry budget, and dead-letters nothing', async () => {
    // The consumer's budget is 5 attempts; intake (ours) refuses far more reads while it restarts.
    intakeDownFor = 12;
    const received = await receive(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'FV/DOWN/1', issueDate: today }));
    const [verdict] = await waitFor(() => verdictOf(received.aggregateId).length > 0 && verdictOf(received.aggregateId), { what: 'verdict after the outage', timeoutMs: 120_000 });
    expect(refusedReads).toBe(12);
    expect(verdict.topic).toBe(topics.invoiceValidated);
    expect(seen.filter((m) => m.topic === deadLetterTopic(topics.invoiceReceived) && m.envelope.id === received.id)).toHaveLength(0);
  }, 150_000);

  it('passes the offline marking and hashOfCorrectedInvoice on to invoice.validated unchanged', async () => {
    const offline = { mode: 'failure', periodEndedAt: '2026-01-15T14:00:00+01:00' };
    const hashOfCorrectedInvoice = createHash('sha256').update('the rejected file').digest('base64');
    const correction = await receive(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'FV/OFF/1', issueDate: today }), { extra: { offline, hashOfCorrectedInvoice } });
    const plain = await receive(buildSampleInvoice({ sellerNip: '5261040828', invoiceNumber: 'FV/OFF/2', issueDate: today }), { extra: { offline: { mode: 'offline24' } } });
    const [verdict] = await waitFor(() => verdictOf(correction.aggregateId).length > 0 && verdictOf(correction.aggregateId), { what: 'verdict', timeoutMs: 30_000 });
    expect(verdict.topic).toBe(topics.invoiceValidated);
    expect(verdict.envelope.payload).toMatchObject({ invoiceId: correction.aggregateId, form: 'FA(3)', offline, hashOfCorrectedInvoice });
    const [other] = await waitFor(() => verdictOf(plain.aggregateId).length > 0 && verdictOf(plain.aggregateId), { what: 'verdict', timeoutMs: 30_000 });
    expect(other.envelope.payload).toMatchObject({ offline: { mode: 'offline24' } });
    expect(other.envelope.payload).not.toHaveProperty('hashOfCorrectedInvoice');
  });

  it('refuses an FA(2) invoice marked offline (OFFLINE_REQUIRES_FA3, PL and EN)', async () => {
    const received = await receive(buildSampleInvoice({ form: 'FA(2)', sellerNip: '5261040828', invoiceNumber: 'FV/OFF/3', issueDate: today }), { extra: { offline: { mode: 'unavailability' } } });
    const [verdict] = await waitFor(() => verdictOf(received.aggregateId).length > 0 && verdictOf(received.aggregateId), { what: 'verdict', timeoutMs: 30_000 });
    expect(verdict.topic).toBe(topics.invoiceInvalid);
    expect(verdict.envelope.payload).toMatchObject({ stage: 'rules', issues: [{ code: 'OFFLINE_REQUIRES_FA3', messagePl: expect.stringContaining('trybie offline'), messageEn: expect.stringContaining('must be an FA(3)') }] });
  });
});
