// Our Kafka port and its kafkajs adapter. Nothing outside this lib imports kafkajs.
export type { MessagePublisher, ReceivedMessage, MessageHandler, BatchMessageHandler, ConsumerOptions, ConsumerRunner, KafkaHealthIndicator, RetryPolicy } from './lib/ports';
export { createKafka } from './lib/kafka-client';
export type { KafkaClient, KafkaClientOptions, KafkaLogSink } from './lib/kafka-client';
export { KafkaPublisher } from './lib/kafka-publisher';
export { KafkaConsumerRunner } from './lib/kafka-consumer-runner';
export type { KafkaConsumerRunnerOptions, ConsumerMetrics } from './lib/kafka-consumer-runner';
export { DLT_HEADER, deadLetterHeaders } from './lib/dead-letter';
export { backoffDelay, DEFAULT_RETRY } from './lib/backoff';
export { TopicAdmin } from './lib/topic-admin';
export { ConsumerLagReader } from './lib/consumer-lag';
export type { ConsumerGroupTopics, ConsumerLag, ConsumerLagReaderOptions } from './lib/consumer-lag';
export { toWire, fromWire } from './lib/wire-format';
export type { WireMessage } from './lib/wire-format';
export { replayDeadLetters, REPLAYED_FROM_HEADER } from './lib/dead-letter-replay';
export type { ReplayOptions, ReplayResult } from './lib/dead-letter-replay';
