import type { TopicSpec } from '@ksef-bridge/contracts';
import type { KafkaClient } from './kafka-client';
import type { KafkaHealthIndicator } from './ports';

/** Creates topics explicitly (broker auto-creation is off) and answers health probes. */
export class TopicAdmin implements KafkaHealthIndicator {
  constructor(private readonly client: KafkaClient) {}

  /** Creates the missing topics of `specs`; existing ones are left as they are. Returns the names created. */
  async ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    const admin = this.client.raw.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.name));
      if (missing.length === 0) return [];
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: String(s.retentionMs) }],
        })),
      });
      return missing.map((s) => s.name);
    } finally {
      await admin.disconnect();
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    const admin = this.client.raw.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: names });
    } finally {
      await admin.disconnect();
    }
  }

  /** Resolves if the cluster answers a metadata request within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<void> {
    const admin = this.client.raw.admin({ retry: { retries: 0 } });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }
}
