import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of KSeF credentials at rest. Each secret is encrypted with AES-256-GCM under its own random
 * 256-bit data key; the data key is stored wrapped (AES-256-GCM) by the master key from configuration
 * (`SENDER_MASTER_KEY`). The database alone reveals nothing; rotating the master key re-wraps 32-byte data keys
 * and never touches the secrets (`rewrap-keys`, docs/sender.md). The context NIP is bound as additional
 * authenticated data, so a ciphertext copied onto another context's row does not decrypt.
 */
export interface SealedSecret {
  ciphertext: Buffer;
  /** 12-byte GCM nonce of the secret. */
  iv: Buffer;
  /** 16-byte GCM tag of the secret. */
  tag: Buffer;
  /** nonce (12) ‖ tag (16) ‖ wrapped data key (32). */
  wrappedKey: Buffer;
  /** Which master key wrapped the data key (`masterKeyId`). */
  masterKeyId: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A short, non-secret fingerprint of a master key (first 16 hex of SHA-256), stored next to what it wrapped. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('ksef-bridge sender master key').update(key).digest('hex').slice(0, 16);
}

/** Parses a base64 master key; it must be exactly 32 bytes. */
export function parseMasterKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== base64.trim()) throw new Error('a master key must be 32 bytes, base64-encoded');
  return key;
}

function seal(key: Buffer, plain: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function open(key: Buffer, sealed: { iv: Buffer; tag: Buffer; ciphertext: Buffer }, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

export class TokenCipher {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** `current` wraps new data keys; `previous` keys only unwrap (during a rotation). */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.currentKeyId = masterKeyId(current);
    for (const key of [current, ...previous]) this.keys.set(masterKeyId(key), key);
  }

  encrypt(secret: string, context: string): SealedSecret {
    const aad = Buffer.from(`ksef-context:${context}`);
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const sealedSecret = seal(dataKey, Buffer.from(secret, 'utf8'), aad);
      return { ...sealedSecret, wrappedKey: this.wrap(dataKey, context), masterKeyId: this.currentKeyId };
    } finally {
      dataKey.fill(0);
    }
  }

  decrypt(sealed: SealedSecret, context: string): string {
    const dataKey = this.unwrap(sealed, context);
    try {
      return open(dataKey, sealed, Buffer.from(`ksef-context:${context}`)).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  /** The same secret with its data key wrapped by the current master key (rotation); the ciphertext is unchanged. */
  rewrap(sealed: SealedSecret, context: string): SealedSecret {
    if (sealed.masterKeyId === this.currentKeyId) return sealed;
    const dataKey = this.unwrap(sealed, context);
    try {
      return { ...sealed, wrappedKey: this.wrap(dataKey, context), masterKeyId: this.currentKeyId };
    } finally {
      dataKey.fill(0);
    }
  }

  private wrap(dataKey: Buffer, context: string): Buffer {
    const master = this.keys.get(this.currentKeyId) as Buffer;
    const wrapped = seal(master, dataKey, Buffer.from(`ksef-data-key:${context}`));
    return Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]);
  }

  private unwrap(sealed: SealedSecret, context: string): Buffer {
    const master = this.keys.get(sealed.masterKeyId);
    if (!master) throw new Error(`no configured master key has id ${sealed.masterKeyId} (set it in SENDER_PREVIOUS_MASTER_KEYS during a rotation)`);
    const w = sealed.wrappedKey;
    return open(master, { iv: w.subarray(0, IV_BYTES), tag: w.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ciphertext: w.subarray(IV_BYTES + TAG_BYTES) }, Buffer.from(`ksef-data-key:${context}`));
  }
}
