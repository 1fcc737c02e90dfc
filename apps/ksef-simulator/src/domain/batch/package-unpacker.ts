import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import * as tarStream from 'tar-stream';

export interface PackageFile {
  name: string;
  content: Buffer;
}

/** Unpacks a batch archive: ZIP (fflate) or tar.gz (zlib + tar-stream). Directories are skipped; throws on corrupt data. */
export async function unpackPackage(archive: Buffer, compression: 'Zip' | 'TarGz'): Promise<PackageFile[]> {
  if (compression === 'Zip') {
    const entries = unzipSync(new Uint8Array(archive.buffer, archive.byteOffset, archive.byteLength));
    return Object.entries(entries)
      .filter(([name]) => !name.endsWith('/'))
      .map(([name, data]) => ({ name, content: Buffer.from(data) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  const tar = gunzipSync(archive);
  return new Promise((resolve, reject) => {
    const files: PackageFile[] = [];
    const extract = tarStream.extract();
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') files.push({ name: header.name, content: Buffer.concat(chunks) });
        next();
      });
      stream.on('error', reject);
      stream.resume();
    });
    extract.on('finish', () => resolve(files));
    extract.on('error', reject);
    extract.end(tar);
  });
}
