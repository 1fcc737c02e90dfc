// Test helpers that start and stop real infrastructure.
// Curated public API: import only from '@ksef-bridge/testing'.
export {};
