// Transactional outbox, relay and inbox.
// Curated public API: import only from '@ksef-bridge/outbox'.
export {};
