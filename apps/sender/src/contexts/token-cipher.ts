/**
 * Envelope encryption of KSeF credentials at rest: `@ksef-bridge/secrets`' EnvelopeCipher with its default labels,
 * which are exactly the sender's stored format (`ksef-context:<nip>` / `ksef-data-key:<nip>`, key ids labelled
 * "ksef-bridge sender master key"), so rows written before the lib existed still open. The context NIP is bound as
 * additional authenticated data: a ciphertext copied onto another context's row does not decrypt. Rotation:
 * `rewrap-keys` (docs/sender.md).
 */
export { EnvelopeCipher as TokenCipher, masterKeyId, parseMasterKey } from '@ksef-bridge/secrets';
export type { SealedSecret } from '@ksef-bridge/secrets';
