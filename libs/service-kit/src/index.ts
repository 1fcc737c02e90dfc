// Nest service bootstrap: health, metrics, graceful shutdown.
// Curated public API: import only from '@ksef-bridge/service-kit'.
export {};
