// Transactional outbox, its relay, and the inbox. Curated public API: import only from '@ksef-bridge/outbox'.
export { outboxMigrations } from './lib/outbox.migrations';
export { OutboxWriter } from './lib/outbox-writer';
export type { OutgoingMessage } from './lib/outbox-writer';
export { OutboxRelay } from './lib/outbox-relay';
export type { OutboxRelayOptions, OutboxRelayMetrics, OutboxStats } from './lib/outbox-relay';
export { Inbox, inboxHandler } from './lib/inbox';
export type { InboxEffect } from './lib/inbox';
export { newEnvelope } from './lib/envelope-factory';
export type { NewEnvelope } from './lib/envelope-factory';
