// Vendored official KSeF artifacts and protocol facts (XSD, KSeF numbers).
// Curated public API: import only from '@ksef-bridge/ksef-spec'.
export {};
