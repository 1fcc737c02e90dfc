// Typed KSeF 2.0 client.
// Curated public API: import only from '@ksef-bridge/ksef-client'.
export {};
