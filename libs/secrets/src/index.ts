// Secrets at rest: envelope encryption (AES-256-GCM data keys wrapped by a configured master key). Node crypto only.
export { EnvelopeCipher, masterKeyId, parseMasterKey, MASTER_KEY_BYTES, WRAPPED_KEY_BYTES } from './lib/envelope-cipher';
export type { EnvelopeCipherOptions, SealedSecret } from './lib/envelope-cipher';
