import { createDecipheriv, createHash } from 'node:crypto';

/** Base64 SHA-256 (44 characters), the hash form KSeF uses everywhere. */
export function sha256Base64(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}

/** AES-256-CBC with PKCS#7 padding; the IV travels separately. Throws when the key, IV or padding is wrong. */
export function aes256CbcDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
