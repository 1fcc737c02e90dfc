import type { Admin } from 'kafkajs';
import type { TopicSpec } from '@ksef-bridge/contracts';
import type { KafkaClient } from './kafka-client';
import type { KafkaHealthIndicator } from './ports';

/** How long a freshly created topic may take to get partition leaders before `ensureTopics` gives up. */
const LEADER_WAIT_MS = 60_000;
/** Metadata answers that only mean "the broker has not caught up with the new topic yet". */
const NOT_YET_KNOWN = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/** The Kafka error type of `error`, also when kafkajs wrapped it after its own retries. */
function kafkaErrorType(error: unknown): string {
  const e = error as { type?: string; originalError?: { type?: string }; cause?: { type?: string } };
  return e.type ?? e.originalError?.type ?? e.cause?.type ?? '';
}

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
        // kafkajs' own wait gives up at the first UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers until the
        // new topic reaches its metadata cache (seconds on a busy machine): we wait for the leaders ourselves.
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: String(s.retentionMs) }],
        })),
      });
      await this.waitForLeaders(admin, missing.map((s) => s.name));
      return missing.map((s) => s.name);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Resolves once every partition of `topics` has a leader in the broker's metadata AND that leader serves offsets
   * (ListOffsets). The metadata can name a leader a moment before the broker acts as one: a consumer group joining
   * then got NOT_LEADER_FOR_PARTITION from ListOffsets, and kafkajs' recovery (refresh, re-join) left a notifier test
   * without its first message for 90 s on a busy machine.
   */
  private async waitForLeaders(admin: Admin, topics: string[], timeoutMs = LEADER_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const { topics: found } = await admin.fetchTopicMetadata({ topics });
        if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          for (const topic of topics) await admin.fetchTopicOffsets(topic);
          return;
        }
        last = new Error('some partitions have no leader yet');
      } catch (error) {
        if (!NOT_YET_KNOWN.has(kafkaErrorType(error))) throw error;
        last = error;
      }
      if (Date.now() > deadline) {
        throw new Error(`topics ${topics.join(', ')} were created but had no leaders after ${timeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
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
