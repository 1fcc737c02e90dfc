import { Inject, Injectable } from '@nestjs/common';
import { KafkaConsumerRunner, type ConsumerGroupTopics, type ConsumerOptions, type KafkaClient } from '@ksef-bridge/kafka';
import type { Logger, Registry } from '@ksef-bridge/observability';
import { consumerMetrics } from './platform-metrics';
import { KAFKA_CLIENT } from './platform-tokens';
import { LOGGER, METRICS_REGISTRY } from './tokens';

/**
 * Creates the service's consumers (with logs, metrics and the error taxonomy) and owns their lifecycle: the
 * platform starts them once the app is up and, on shutdown, stops them first (finish in-flight work, commit
 * offsets) before the relay, the producer and the database go.
 */
@Injectable()
export class ConsumerRegistry {
  private readonly runners: KafkaConsumerRunner[] = [];
  private readonly registered: ConsumerGroupTopics[] = [];
  private started = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: KafkaClient,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** Registers a consumer; call from a module's constructor or onModuleInit. Default: fromBeginning for new groups. */
  register(options: ConsumerOptions): void {
    if (this.started) throw new Error('consumers must be registered before the application starts');
    this.registered.push({ groupId: options.groupId, topics: [...options.topics] });
    this.runners.push(new KafkaConsumerRunner(this.client, { fromBeginning: true, ...options, logger: this.logger.child({ component: 'consumer', group: options.groupId }), metrics: consumerMetrics(this.registry) }));
  }

  /** The consumer groups this service runs and their topics (the consumer lag gauge reads them). */
  groups(): ConsumerGroupTopics[] {
    return this.registered.map((g) => ({ groupId: g.groupId, topics: [...g.topics] }));
  }

  async startAll(): Promise<void> {
    this.started = true;
    await Promise.all(this.runners.map((r) => r.start()));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}
