// Message contracts: topic names, the envelope, versioned message schemas. Depends on zod only.
export { HEADER, envelopeSchema } from './lib/envelope';
export type { Envelope } from './lib/envelope';
export { TOPICS, deadLetterTopic, isDeadLetterTopic, topicSpecs } from './lib/topics';
export type { TopicName, TopicSpec } from './lib/topics';
export { defineMessage } from './lib/message-contract';
export type { MessageContract } from './lib/message-contract';
