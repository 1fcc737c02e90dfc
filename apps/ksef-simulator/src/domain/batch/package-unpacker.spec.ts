import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import * as tarStream from 'tar-stream';
import { unpackPackage } from './package-unpacker';

describe('unpackPackage', () => {
  it('reads ZIP entries (skipping directories) in name order', async () => {
    const zip = Buffer.from(zipSync({ 'b.xml': Buffer.from('<b/>'), 'dir/': new Uint8Array(), 'a.xml': Buffer.from('<a/>') }));
    expect((await unpackPackage(zip, 'Zip')).map((f) => [f.name, f.content.toString()])).toEqual([
      ['a.xml', '<a/>'],
      ['b.xml', '<b/>'],
    ]);
  });

  it('reads tar.gz files', async () => {
    const pack = tarStream.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
    pack.entry({ name: 'x.xml' }, '<x/>');
    pack.finalize();
    await done;
    expect((await unpackPackage(gzipSync(Buffer.concat(chunks)), 'TarGz')).map((f) => f.name)).toEqual(['x.xml']);
  });

  it('throws on corrupt archives', async () => {
    await expect(unpackPackage(Buffer.from('garbage'), 'Zip')).rejects.toThrow();
    await expect(unpackPackage(Buffer.from('garbage'), 'TarGz')).rejects.toThrow();
  });
});
