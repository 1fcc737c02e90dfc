import { randomBytes } from 'node:crypto';

/**
 * Cryptographically random bytes handed out from a 4 KB block: the hot paths (a reference number per invoice, a KSeF
 * number per accepted one) need 6-10 bytes each, and one randomBytes() call per value costs more than the rest of
 * building the number. Each byte is handed out once.
 */
export class RandomPool {
  private block = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly blockSize = 4096) {}

  take(length: number): Buffer {
    if (length > this.blockSize) return randomBytes(length);
    if (this.offset + length > this.block.length) {
      this.block = randomBytes(this.blockSize);
      this.offset = 0;
    }
    // A copy, so a caller keeping the bytes does not pin (or see) the rest of the block.
    const bytes = Buffer.from(this.block.subarray(this.offset, this.offset + length));
    this.offset += length;
    return bytes;
  }

  hex(length: number): string {
    return this.take(length).toString('hex').toUpperCase();
  }
}

export const randomPool = new RandomPool();
