import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of secrets at rest. Each secret is encrypted with AES-256-GCM under its own random 256-bit data
 * key; the data key is stored wrapped (AES-256-GCM) by a master key from configuration. The database alone reveals
 * nothing; rotating the master key re-wraps 32-byte data keys and never touches the secrets. A caller-chosen context
 * (e.g. a KSeF context NIP, a webhook subscription id) is bound as additional authenticated data, so a ciphertext
 * copied onto another row does not decrypt.
 *
 * Generalised from the sender's `TokenCipher`; with the default options it produces and opens exactly what that class
 * does (same AAD labels, same key fingerprints), so the sender can switch to this lib without re-encrypting.
 */
export interface SealedSecret {
  ciphertext: Buffer;
  /** 12-byte GCM nonce of the secret. */
  iv: Buffer;
  /** 16-byte GCM tag of the secret. */
  tag: Buffer;
  /** nonce (12) ‖ tag (16) ‖ wrapped data key (32): always 60 bytes. */
  wrappedKey: Buffer;
  /** Which master key wrapped the data key (`masterKeyId`). */
  masterKeyId: string;
}

/** What one use of the cipher is called; it separates the keys and ciphertexts of different uses. */
export interface EnvelopeCipherOptions {
  /** AAD prefix of a secret: `${secretLabel}:${context}`. Default `ksef-context` (the sender's). */
  secretLabel?: string;
  /** AAD prefix of a wrapped data key: `${dataKeyLabel}:${context}`. Default `ksef-data-key`. */
  dataKeyLabel?: string;
  /** Domain of the master key fingerprint (`masterKeyId`). Default `ksef-bridge sender master key`. */
  keyIdLabel?: string;
  /** Named in the error when a row's master key is not configured, e.g. `NOTIFIER_PREVIOUS_MASTER_KEYS`. */
  previousKeysVariable?: string;
}

/** Byte length of a master key and of a data key. */
export const MASTER_KEY_BYTES = 32;
/** Byte length of `SealedSecret.wrappedKey`. */
export const WRAPPED_KEY_BYTES = 60;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DEFAULT_KEY_ID_LABEL = 'ksef-bridge sender master key';

/** A short, non-secret fingerprint of a master key (first 16 hex of SHA-256 over `label` and the key). */
export function masterKeyId(key: Buffer, label = DEFAULT_KEY_ID_LABEL): string {
  return createHash('sha256').update(label).update(key).digest('hex').slice(0, 16);
}

/** Parses a base64 master key; it must be exactly 32 bytes. */
export function parseMasterKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64') !== base64.trim()) throw new Error('a master key must be 32 bytes, base64-encoded');
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

export class EnvelopeCipher {
  private readonly keys = new Map<string, Buffer>();
  private readonly secretLabel: string;
  private readonly dataKeyLabel: string;
  private readonly previousKeysVariable: string;
  readonly currentKeyId: string;

  /** `current` wraps new data keys; `previous` keys only unwrap (during a rotation). */
  constructor(current: Buffer, previous: readonly Buffer[] = [], options: EnvelopeCipherOptions = {}) {
    const keyIdLabel = options.keyIdLabel ?? DEFAULT_KEY_ID_LABEL;
    this.secretLabel = options.secretLabel ?? 'ksef-context';
    this.dataKeyLabel = options.dataKeyLabel ?? 'ksef-data-key';
    this.previousKeysVariable = options.previousKeysVariable ?? 'SENDER_PREVIOUS_MASTER_KEYS';
    for (const key of [current, ...previous]) if (key.length !== MASTER_KEY_BYTES) throw new Error('a master key must be 32 bytes');
    this.currentKeyId = masterKeyId(current, keyIdLabel);
    for (const key of [current, ...previous]) this.keys.set(masterKeyId(key, keyIdLabel), key);
  }

  encrypt(secret: string, context: string): SealedSecret {
    const dataKey = randomBytes(MASTER_KEY_BYTES);
    try {
      const sealedSecret = seal(dataKey, Buffer.from(secret, 'utf8'), this.secretAad(context));
      return { ...sealedSecret, wrappedKey: this.wrap(dataKey, context), masterKeyId: this.currentKeyId };
    } finally {
      dataKey.fill(0);
    }
  }

  decrypt(sealed: SealedSecret, context: string): string {
    const dataKey = this.unwrap(sealed, context);
    try {
      return open(dataKey, sealed, this.secretAad(context)).toString('utf8');
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

  private secretAad(context: string): Buffer {
    return Buffer.from(`${this.secretLabel}:${context}`);
  }

  private wrap(dataKey: Buffer, context: string): Buffer {
    const master = this.keys.get(this.currentKeyId) as Buffer;
    const wrapped = seal(master, dataKey, Buffer.from(`${this.dataKeyLabel}:${context}`));
    return Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]);
  }

  private unwrap(sealed: SealedSecret, context: string): Buffer {
    const master = this.keys.get(sealed.masterKeyId);
    if (!master) throw new Error(`no configured master key has id ${sealed.masterKeyId} (set it in ${this.previousKeysVariable} during a rotation)`);
    const w = sealed.wrappedKey;
    return open(master, { iv: w.subarray(0, IV_BYTES), tag: w.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ciphertext: w.subarray(IV_BYTES + TAG_BYTES) }, Buffer.from(`${this.dataKeyLabel}:${context}`));
  }
}
