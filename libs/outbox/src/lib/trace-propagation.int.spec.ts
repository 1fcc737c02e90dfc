import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, getTracer } from '@ksef-bridge/observability';
import type { DataSource } from 'typeorm';
import { createKafka, KafkaConsumerRunner, KafkaPublisher, TopicAdmin } from '@ksef-bridge/kafka';
import { withTransaction } from '@ksef-bridge/persistence';
import { createTestDatabase, randomGroup, randomTopic, testKafkaBrokers, waitFor, type TestDatabase } from '@ksef-bridge/testing';
import { outboxTestDataSource } from '../test/outbox-fixture';
import { Inbox, inboxHandler } from './inbox';
import { newEnvelope } from './envelope-factory';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

// One trace across two services: "intake" writes an event to its outbox inside a request span; its relay publishes
// it; "validator" (its own Kafka client, schema, inbox and relay) consumes it and emits a follow-up event through
// its outbox; a third consumer reads that. Every span must share the request's trace id, parent by parent.
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ serviceName: 'trace-test', testExporter: exporter });

describe('trace context through outbox rows and Kafka headers', () => {
  const brokers = testKafkaBrokers();
  const first = randomTopic('trace-first');
  const second = randomTopic('trace-second');
  let db: TestDatabase;
  let intakeDs: DataSource;
  let validatorDs: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('trace');
    intakeDs = await outboxTestDataSource(db.config, 'intake_svc');
    validatorDs = await outboxTestDataSource(db.config, 'validator_svc');
    await new TopicAdmin(createKafka({ brokers, clientId: 'trace-admin' })).ensureTopics([
      { name: first, partitions: 1, retentionMs: 3_600_000 },
      { name: second, partitions: 1, retentionMs: 3_600_000 },
    ]);
  });
  afterAll(async () => {
    await new TopicAdmin(createKafka({ brokers, clientId: 'trace-admin' })).deleteTopics([first, second]).catch(() => undefined);
    await intakeDs?.destroy();
    await validatorDs?.destroy();
    await db?.drop();
    await telemetry.shutdown();
  });

  it('keeps one trace id from the first request to the last consumer', async () => {
    const intakeClient = createKafka({ brokers, clientId: 'intake' });
    const validatorClient = createKafka({ brokers, clientId: 'validator' });
    const intakePublisher = new KafkaPublisher(intakeClient);
    const validatorPublisher = new KafkaPublisher(validatorClient);

    const root = getTracer().startSpan('POST /invoices');
    const traceId = root.spanContext().traceId;
    const { context, trace } = await import('@opentelemetry/api');
    await context.with(trace.setSpan(context.active(), root), () =>
      withTransaction(intakeDs, (m) => new OutboxWriter('intake_svc').enqueue(m, [{ topic: first, envelope: newEnvelope({ type: 'invoice.received', version: 1, aggregateId: 'inv-1', tenant: 't', payload: {} }) }])),
    );
    root.end();
    const intakeRelay = new OutboxRelay(intakeDs, intakePublisher, { schema: 'intake_svc', pollIntervalMs: 20 });
    intakeRelay.start();

    const validator = new KafkaConsumerRunner(validatorClient, {
      groupId: randomGroup('validator'),
      topics: [first],
      fromBeginning: true,
      handler: inboxHandler(validatorDs, new Inbox('validator_svc', 'validator'), async (m, message) => {
        const envelope = newEnvelope({ type: 'invoice.validated', version: 1, aggregateId: message.envelope.aggregateId, tenant: 't', payload: {}, traceparent: message.traceparent });
        await new OutboxWriter('validator_svc').enqueue(m, [{ topic: second, envelope }]);
      }),
    });
    void validator.start();
    const validatorRelay = new OutboxRelay(validatorDs, validatorPublisher, { schema: 'validator_svc', pollIntervalMs: 20 });
    validatorRelay.start();

    let lastTraceparent: string | undefined;
    const sink = new KafkaConsumerRunner(createKafka({ brokers, clientId: 'notifier' }), {
      groupId: randomGroup('sink'),
      topics: [second],
      fromBeginning: true,
      handler: async (messages) => void (lastTraceparent = messages[0].traceparent),
    });
    void sink.start();
    await waitFor(() => lastTraceparent, { what: 'the follow-up event consumed', timeoutMs: 60_000 });
    await Promise.all([intakeRelay.stop(), validatorRelay.stop(), validator.stop(), sink.stop()]);
    await Promise.all([intakePublisher.disconnect(), validatorPublisher.disconnect()]);
    await telemetry.forceFlush();

    expect(lastTraceparent).toContain(traceId);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const named = (name: string) => spans.find((s) => s.name === name) as ReadableSpan;
    const chain = [named('POST /invoices'), named(`${first} publish`), named(`${first} process`), named(`${second} publish`), named(`${second} process`)];
    expect(chain.every(Boolean)).toBe(true);
    for (let i = 1; i < chain.length; i++) expect(chain[i].parentSpanContext?.spanId).toBe(chain[i - 1].spanContext().spanId);
  });
});
