// Our Kafka port and its kafkajs adapter, consumer runner, topic admin.
// Curated public API: import only from '@ksef-bridge/kafka'.
export {};
