import type { KafkaClient } from './kafka-client';

/** A consumer group and the topics it reads (what `ConsumerOptions` registers). */
export interface ConsumerGroupTopics {
  groupId: string;
  topics: string[];
}

/** Messages a group has not yet committed past, summed over the topic's partitions. */
export interface ConsumerLag {
  groupId: string;
  topic: string;
  lag: number;
}

export interface ConsumerLagReaderOptions {
  /** Answers are reused this long, so frequent scrapes cost one broker round per window. Default 5 000 ms. */
  cacheMs?: number;
  /** A read taking longer than this fails (the caller keeps its last values). Default 3 000 ms. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Reads consumer lag from the brokers: per partition, the topic's high-water mark minus the group's committed offset
 * (a partition the group never committed counts from the low-water mark: our consumers start from the beginning).
 * Results are cached for `cacheMs`; concurrent reads share one broker round.
 */
export class ConsumerLagReader {
  private cached?: { key: string; at: number; value: ConsumerLag[] };
  private inflight?: { key: string; promise: Promise<ConsumerLag[]> };
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: KafkaClient,
    options: ConsumerLagReaderOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.now = options.now ?? Date.now;
  }

  async read(groups: ConsumerGroupTopics[]): Promise<ConsumerLag[]> {
    const key = JSON.stringify(groups.map((g) => [g.groupId, [...g.topics].sort()]).sort());
    if (this.cached && this.cached.key === key && this.now() - this.cached.at < this.cacheMs) return this.cached.value;
    if (this.inflight?.key === key) return this.inflight.promise;
    const promise = this.fetch(groups).then(
      (value) => {
        this.cached = { key, at: this.now(), value };
        return value;
      },
    );
    this.inflight = { key, promise };
    try {
      return await promise;
    } finally {
      if (this.inflight?.promise === promise) this.inflight = undefined;
    }
  }

  private async fetch(groups: ConsumerGroupTopics[]): Promise<ConsumerLag[]> {
    if (groups.length === 0) return [];
    // A few quick retries: a topic created a moment ago may still be electing its leaders.
    const admin = this.client.raw.admin({ retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`consumer lag not read within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    const work = async (): Promise<ConsumerLag[]> => {
      await admin.connect();
      const topics = [...new Set(groups.flatMap((g) => g.topics))];
      const ends = new Map<string, Map<number, { high: number; low: number }>>();
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        ends.set(topic, new Map(offsets.map((o) => [o.partition, { high: Number(o.high), low: Number(o.low) }])));
      }
      const out: ConsumerLag[] = [];
      for (const group of groups) {
        const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics });
        for (const { topic, partitions } of committed) {
          const topicEnds = ends.get(topic) ?? new Map<number, { high: number; low: number }>();
          let lag = 0;
          for (const [partition, end] of topicEnds) {
            const offset = Number(partitions.find((p) => p.partition === partition)?.offset ?? -1);
            lag += Math.max(0, end.high - (offset >= 0 ? offset : end.low));
          }
          out.push({ groupId: group.groupId, topic, lag });
        }
      }
      return out;
    };
    try {
      return await Promise.race([work(), timeout]);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }
}
