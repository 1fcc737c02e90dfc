import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import { extract } from 'tar-stream';
import { aesDecrypt, generateSymmetricKey, sha256Base64 } from '../crypto/ksef-crypto';
import { buildBatchArchive, prepareBatchPackage } from './batch-package';

const files = Array.from({ length: 5 }, (_, i) => ({ fileName: `FV-${i}.xml`, content: `<Faktura><P_2>FV/${i}</P_2>${'x'.repeat(500 + i)}</Faktura>` }));

async function untar(gz: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out[header.name] = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  await new Promise((resolve, reject) => {
    ex.on('finish', () => resolve(undefined));
    ex.on('error', reject);
    Readable.from(gz).pipe(createGunzip()).pipe(ex);
  });
  return out;
}

describe('batch package', () => {
  it('builds a ZIP holding every file', async () => {
    const zip = await buildBatchArchive(files, 'Zip');
    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual(files.map((f) => f.fileName).sort());
    expect(Buffer.from(entries['FV-3.xml']!).toString()).toBe(files[3]!.content);
  });

  it('builds a tar.gz holding every file', async () => {
    const tgz = await buildBatchArchive(files, 'TarGz');
    expect(tgz[0]).toBe(0x1f);
    const entries = await untar(tgz);
    expect(entries['FV-4.xml']).toBe(files[4]!.content);
    expect(Object.keys(entries)).toHaveLength(5);
  });

  it('refuses duplicate file names', async () => {
    await expect(buildBatchArchive([files[0]!, files[0]!])).rejects.toThrow('duplicate');
  });

  it('splits the archive binary, encrypts each part with the session key and hashes whole and parts', async () => {
    const archive = await buildBatchArchive(files, 'Zip');
    const key = generateSymmetricKey();
    const pkg = prepareBatchPackage(archive, key, { maxPartSize: 300, compression: 'Zip', files });
    const expectedParts = Math.ceil(archive.length / 300);
    expect(pkg.encryptedParts).toHaveLength(expectedParts);
    expect(pkg.batchFile.fileSize).toBe(archive.length);
    expect(pkg.batchFile.fileHash).toBe(sha256Base64(archive));
    expect(pkg.batchFile.compressionType).toBe('Zip');
    pkg.batchFile.fileParts.forEach((p, i) => {
      expect(p.ordinalNumber).toBe(i + 1);
      expect(p.fileSize).toBe(pkg.encryptedParts[i]!.length);
      expect(p.fileHash).toBe(sha256Base64(pkg.encryptedParts[i]!));
    });
    const joined = Buffer.concat(pkg.encryptedParts.map((p) => aesDecrypt(p, key)));
    expect(joined.equals(archive)).toBe(true);
    expect(pkg.invoiceHashes['FV-0.xml']).toBe(sha256Base64(files[0]!.content));
  });

  it('enforces KSeF package limits', () => {
    const key = generateSymmetricKey();
    expect(() => prepareBatchPackage(Buffer.alloc(51), key, { maxPartSize: 1 })).toThrow('50');
    expect(() => prepareBatchPackage(Buffer.alloc(1), key, { maxPartSize: 200_000_000 })).toThrow('maxPartSize');
  });
});
