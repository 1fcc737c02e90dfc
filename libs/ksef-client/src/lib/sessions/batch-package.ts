import { createGzip } from 'node:zlib';
import { zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { aesEncrypt, sha256Base64, type SymmetricKey } from '../crypto/ksef-crypto';
import type { BatchFileInfo, CompressionType } from '../model/ksef-api.types';

/** One invoice file of a batch package. */
export interface BatchInvoiceFile {
  /** File name inside the archive (unique, e.g. `FV-2026-001.xml`). */
  fileName: string;
  content: Buffer | string;
}

/** KSeF's package limits (API.md §5): parts ≤ 100 MB before encryption, ≤ 50 parts, ≤ 5 GB in total. */
export const BATCH_LIMITS = { maxPartSize: 100_000_000, maxParts: 50, maxTotalSize: 5_000_000_000 } as const;

/** Builds the archive: ZIP (fflate) or tar.gz (tar-stream + gzip; better for many similar XMLs). */
export async function buildBatchArchive(files: readonly BatchInvoiceFile[], compression: CompressionType = 'Zip'): Promise<Buffer> {
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.fileName)) throw new RangeError(`duplicate file name in batch: ${f.fileName}`);
    names.add(f.fileName);
  }
  if (compression === 'Zip') {
    const entries: Record<string, Uint8Array> = {};
    for (const f of files) entries[f.fileName] = toBuffer(f.content);
    return Buffer.from(zipSync(entries, { level: 6 }));
  }
  const tar = pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve(Buffer.concat(chunks)));
    gzip.on('error', reject);
    tar.on('error', reject);
  });
  tar.pipe(gzip);
  for (const f of files) tar.entry({ name: f.fileName }, toBuffer(f.content));
  tar.finalize();
  return done;
}

/** A package ready to declare and upload: encrypted parts plus the `batchFile` block of the open request. */
export interface PreparedBatchPackage {
  batchFile: BatchFileInfo;
  /** Encrypted parts, index i = ordinal number i + 1. */
  encryptedParts: Buffer[];
  /** SHA-256 (Base64) of each invoice file, by file name: how KSeF's results are correlated back. */
  invoiceHashes: Record<string, string>;
}

/**
 * Splits the archive binary into parts of at most `maxPartSize` bytes (before encryption), encrypts every part with
 * the session's AES key and IV, and hashes the whole archive and each encrypted part.
 */
export function prepareBatchPackage(
  archive: Buffer,
  symmetric: SymmetricKey,
  options: { maxPartSize?: number; compression?: CompressionType; files?: readonly BatchInvoiceFile[] } = {},
): PreparedBatchPackage {
  const maxPartSize = options.maxPartSize ?? BATCH_LIMITS.maxPartSize;
  if (maxPartSize <= 0 || maxPartSize > BATCH_LIMITS.maxPartSize) throw new RangeError(`maxPartSize must be 1..${BATCH_LIMITS.maxPartSize}`);
  if (archive.length > BATCH_LIMITS.maxTotalSize) throw new RangeError('batch archive exceeds 5 GB');
  const partCount = Math.max(1, Math.ceil(archive.length / maxPartSize));
  if (partCount > BATCH_LIMITS.maxParts) throw new RangeError(`batch archive needs ${partCount} parts; KSeF allows ${BATCH_LIMITS.maxParts}`);
  const encryptedParts: Buffer[] = [];
  const fileParts: BatchFileInfo['fileParts'] = [];
  for (let i = 0; i < partCount; i += 1) {
    const encrypted = aesEncrypt(archive.subarray(i * maxPartSize, (i + 1) * maxPartSize), symmetric);
    encryptedParts.push(encrypted);
    fileParts.push({ ordinalNumber: i + 1, fileSize: encrypted.length, fileHash: sha256Base64(encrypted) });
  }
  const invoiceHashes: Record<string, string> = {};
  for (const f of options.files ?? []) invoiceHashes[f.fileName] = sha256Base64(toBuffer(f.content));
  return {
    batchFile: { fileSize: archive.length, fileHash: sha256Base64(archive), compressionType: options.compression, fileParts },
    encryptedParts,
    invoiceHashes,
  };
}

function toBuffer(content: Buffer | string): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}
