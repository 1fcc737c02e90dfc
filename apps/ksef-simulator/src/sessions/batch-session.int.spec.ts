import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import * as tarStream from 'tar-stream';
import { buildSampleInvoice, isValidKsefNumber } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { DocClient, FA3, SessionCrypto, sha256, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

const NIP = '5265877635';

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

describe('batch session (upload URLs on the simulator, decrypt, unpack, process every invoice)', () => {
  let sim: RunningSimulator;
  let client: DocClient;

  beforeAll(async () => {
    sim = await startSimulator();
    client = new DocClient(sim);
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
  });
  afterAll(() => sim.close());

  async function openBatch(archive: Buffer, compressionType: 'Zip' | 'TarGz', partCount = 2) {
    const crypto = new SessionCrypto();
    const size = Math.ceil(archive.length / partCount);
    const parts = Array.from({ length: partCount }, (_, i) => crypto.encrypt(archive.subarray(i * size, (i + 1) * size)));
    const res = await client.call('POST', '/v2/sessions/batch', {
      body: {
        formCode: FA3,
        batchFile: { fileSize: archive.length, fileHash: sha256(archive), compressionType, fileParts: parts.map((p, i) => ({ ordinalNumber: i + 1, fileSize: p.length, fileHash: sha256(p) })) },
        encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')),
      },
    });
    expect(res.status).toBe(201);
    return { ref: res.body.referenceNumber as string, uploads: res.body.partUploadRequests as { ordinalNumber: number; method: string; url: string; headers: Record<string, string> }[], parts };
  }

  const upload = (u: { method: string; url: string; headers: Record<string, string> }, data: Buffer) => fetch(u.url, { method: u.method, headers: u.headers, body: data });

  async function finalSession(ref: string) {
    return waitFor(async () => {
      const res = await client.call('GET', `/v2/sessions/${ref}`);
      return res.body.status.code >= 200 ? res.body : undefined;
    }, { timeoutMs: 15_000, intervalMs: 25, what: 'batch final status' });
  }

  it('ZIP in two parts: every invoice processed, invalid ones fail individually, UPO lists the accepted', async () => {
    const stamp = Date.now();
    const archive = Buffer.from(
      zipSync({
        'a.xml': Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `B/${stamp}/1` })),
        'b.xml': Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `B/${stamp}/2` })),
        'c.xml': Buffer.from('<Faktura>nie faktura</Faktura>'),
      }),
    );
    const { ref, uploads, parts } = await openBatch(archive, 'Zip');
    expect(new URL(uploads[0].url).host).toBe(new URL(sim.url).host);
    expect(uploads[0].method).toBe('PUT');
    for (const u of uploads) expect((await upload(u, parts[u.ordinalNumber - 1])).status).toBe(201);
    expect((await client.call('POST', `/v2/sessions/batch/${ref}/close`)).status).toBe(204);
    const session = await finalSession(ref);
    expect(session).toMatchObject({ status: { code: 200 }, invoiceCount: 3, successfulInvoiceCount: 2, failedInvoiceCount: 1 });
    const list = (await client.call('GET', `/v2/sessions/${ref}/invoices`)).body.invoices as { invoiceFileName: string; status: { code: number }; ksefNumber?: string }[];
    expect(list.map((i) => [i.invoiceFileName, i.status.code])).toEqual([
      ['a.xml', 200],
      ['b.xml', 200],
      ['c.xml', 430],
    ]);
    expect(list.filter((i) => i.ksefNumber).every((i) => isValidKsefNumber(i.ksefNumber as string))).toBe(true);
    const upo = await (await fetch(session.upo.pages[0].downloadUrl)).text();
    expect(upo.match(/<Dokument>/g)).toHaveLength(2);
  });

  it('tar.gz in one part is processed the same way', async () => {
    const archive = await tarGz({ 'x.xml': buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `T/${Date.now()}` }) });
    const { ref, uploads, parts } = await openBatch(archive, 'TarGz', 1);
    expect((await upload(uploads[0], parts[0])).status).toBe(201);
    await client.call('POST', `/v2/sessions/batch/${ref}/close`);
    expect((await finalSession(ref)).successfulInvoiceCount).toBe(1);
  });

  it('refuses a part with the wrong hash (400), closing with a missing part (21205), a forged URL (403)', async () => {
    const archive = Buffer.from(zipSync({ 'a.xml': Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `M/${Date.now()}` })) }));
    const { ref, uploads, parts } = await openBatch(archive, 'Zip');
    expect((await upload(uploads[0], Buffer.concat([parts[0].subarray(1), Buffer.from([0])]))).status).toBe(400);
    expect((await upload({ ...uploads[0], url: uploads[0].url.replace(/sig=[^&]+/, 'sig=forged') }, parts[0])).status).toBe(403);
    expect((await upload(uploads[0], parts[0])).status).toBe(201);
    const close = await client.call('POST', `/v2/sessions/batch/${ref}/close`);
    expect(close.status).toBe(400);
    expect(close.body.exception.exceptionDetailList[0]).toMatchObject({ exceptionCode: 21205 });
  });

  it('a corrupt archive ends in 430, a package whose hash does not match in 405', async () => {
    const garbage = Buffer.from('this is not a zip archive at all');
    const bad = await openBatch(garbage, 'Zip', 1);
    await upload(bad.uploads[0], bad.parts[0]);
    await client.call('POST', `/v2/sessions/batch/${bad.ref}/close`);
    expect((await finalSession(bad.ref)).status.code).toBe(430);

    const archive = Buffer.from(zipSync({ 'a.xml': Buffer.from('<a/>') }));
    const crypto = new SessionCrypto();
    const part = crypto.encrypt(archive);
    const res = await client.call('POST', '/v2/sessions/batch', {
      body: {
        formCode: FA3,
        batchFile: { fileSize: archive.length, fileHash: sha256(Buffer.from('other')), fileParts: [{ ordinalNumber: 1, fileSize: part.length, fileHash: sha256(part) }] },
        encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')),
      },
    });
    await upload(res.body.partUploadRequests[0], part);
    await client.call('POST', `/v2/sessions/batch/${res.body.referenceNumber}/close`);
    expect((await finalSession(res.body.referenceNumber)).status.code).toBe(405);
  });

  it('attachments: 415 without the NIP permission; with it only by batch, not interactively', async () => {
    const withAttachment = (n: string) => buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `ATT/${Date.now()}/${n}`, attachment: true });
    const batchOf = async (xml: string) => {
      const { ref, uploads, parts } = await openBatch(Buffer.from(zipSync({ 'z.xml': Buffer.from(xml) })), 'Zip', 1);
      await upload(uploads[0], parts[0]);
      await client.call('POST', `/v2/sessions/batch/${ref}/close`);
      await finalSession(ref);
      return (await client.call('GET', `/v2/sessions/${ref}/invoices`)).body.invoices[0].status.code as number;
    };
    expect(await batchOf(withAttachment('1'))).toBe(415);
    expect((await client.call('POST', '/v2/testdata/attachment', { body: { nip: NIP } })).status).toBe(200);
    expect(await batchOf(withAttachment('2'))).toBe(200);

    const online = new SessionCrypto();
    const ref = (await client.call('POST', '/v2/sessions/online', { body: { formCode: FA3, encryption: online.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } })).body.referenceNumber;
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: online.sendRequest(withAttachment('3')) });
    const status = await waitFor(async () => {
      const r = await client.call('GET', `/v2/sessions/${ref}/invoices/${sent.body.referenceNumber}`);
      return r.body.status.code >= 200 ? r.body.status : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20 });
    expect(status).toMatchObject({ code: 415, description: 'Brak możliwości wysyłania faktury z załącznikiem' });
    await client.call('POST', '/v2/testdata/attachment/revoke', { body: { nip: NIP } });
  });

  it('more than 50 parts is 21161', async () => {
    const res = await client.call('POST', '/v2/sessions/batch', {
      body: {
        formCode: FA3,
        batchFile: { fileSize: 100, fileHash: sha256(Buffer.from('x')), fileParts: Array.from({ length: 51 }, (_, i) => ({ ordinalNumber: i + 1, fileSize: 16, fileHash: sha256(Buffer.from('x')) })) },
        encryption: new SessionCrypto().encryptionInfo(await client.certificate('SymmetricKeyEncryption')),
      },
    });
    expect(res.body.exception.exceptionDetailList[0].exceptionCode).toBe(21161);
  });
});
