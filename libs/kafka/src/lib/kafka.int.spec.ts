import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { HEADER, type Envelope } from '@ksef-bridge/contracts';
import { createKafka } from './kafka-client';
import { KafkaPublisher } from './kafka-publisher';
import { TopicAdmin } from './topic-admin';
import { fromWire } from './wire-format';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

function envelope(aggregateId: string, n: number): Envelope {
  return { id: randomUUID(), type: 'test.happened', version: 1, aggregateId, tenant: 't1', occurredAt: new Date().toISOString(), payload: { n }, headers: {} };
}

describe('kafka port against the real broker', () => {
  const client = createKafka({ brokers, clientId: `kafka-int-${randomUUID()}` });
  const admin = new TopicAdmin(client);
  const publisher = new KafkaPublisher(client);
  const topic = `test.kafka.${randomUUID()}`;

  beforeAll(async () => {
    expect(await admin.ensureTopics([{ name: topic, partitions: 3, retentionMs: 3_600_000 }])).toEqual([topic]);
    // Second call is idempotent.
    expect(await admin.ensureTopics([{ name: topic, partitions: 3, retentionMs: 3_600_000 }])).toEqual([]);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await admin.deleteTopics([topic]);
  });

  it('answers health pings', async () => {
    await expect(admin.ping(3_000)).resolves.toBeUndefined();
    const nowhere = new TopicAdmin(createKafka({ brokers: ['127.0.0.1:1'], clientId: 'nowhere', connectionTimeoutMs: 300 }));
    await expect(nowhere.ping(1_000)).rejects.toThrow();
  });

  it('publishes envelopes that a consumer reads back in per-key order, with identity and trace headers', async () => {
    const sent = [...Array(20)].map((_, i) => envelope(`agg-${i % 4}`, i));
    await publisher.publishBatch(sent.map((e) => ({ topic, envelope: e })));

    const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Envelope[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          received.push(fromWire(message.value, headers));
          if (received.length === sent.length) resolve();
        },
      });
    });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out waiting for messages')), 30_000))]);
    await consumer.disconnect();

    expect(new Set(received.map((e) => e.id))).toEqual(new Set(sent.map((e) => e.id)));
    for (const agg of ['agg-0', 'agg-1', 'agg-2', 'agg-3']) {
      const ns = received.filter((e) => e.aggregateId === agg).map((e) => (e.payload as { n: number }).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    const first = received[0];
    expect(first.headers[HEADER.messageId]).toBe(first.id);
    expect(first.headers[HEADER.messageType]).toBe('test.happened');
  });

  it('refuses to publish to a topic that does not exist (auto-creation is off)', async () => {
    await expect(publisher.publish(`missing.${randomUUID()}`, envelope('a', 1))).rejects.toMatchObject({ code: 'KAFKA_TOPIC_UNKNOWN', retriable: false });
  }, 60_000);

  it('keeps publishing to live topics after a topic it once published to was deleted', async () => {
    const doomed = `test.kafka.doomed.${randomUUID()}`;
    await admin.ensureTopics([{ name: doomed, partitions: 1, retentionMs: 3_600_000 }]);
    await publisher.publish(doomed, envelope('a', 1));
    await admin.deleteTopics([doomed]);
    await expect(publisher.publish(topic, envelope('a', 2))).resolves.toBeUndefined();
  }, 60_000);
});
