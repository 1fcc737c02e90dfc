import { buildSampleInvoice, isValidKsefNumber } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import type { Worker } from 'node:worker_threads';
import { InvoiceChecker } from './invoice-checker';
import { DocClient, FA3, SessionCrypto, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

const NIP = '5265877635';

/** The invoice checks in a worker thread (SIM_PROCESSING_WORKERS >= 1, the default outside tests) decide exactly as in-thread. */
describe('invoice checks in worker threads', () => {
  let sim: RunningSimulator;
  let client: DocClient;
  let crypto: SessionCrypto;
  let session: string;

  beforeAll(async () => {
    sim = await startSimulator({ processingWorkers: 2 });
    client = new DocClient(sim);
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
    crypto = new SessionCrypto();
    session = (await client.call('POST', '/v2/sessions/online', { body: { formCode: FA3, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } })).body.referenceNumber;
  }, 60_000);
  afterAll(() => sim.close());

  const send = async (xml: string | Buffer) => {
    const res = await client.call('POST', `/v2/sessions/online/${session}/invoices`, { body: crypto.sendRequest(xml) });
    expect(res.status).toBe(202);
    return res.body.referenceNumber as string;
  };
  const finalStatus = (ref: string) =>
    waitFor(
      async () => {
        const res = await client.call('GET', `/v2/sessions/${session}/invoices/${ref}`);
        return res.body.status.code >= 200 ? res.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'final invoice status' },
    );

  it('accepts, rejects and detects duplicates the same way, for a batch split across workers', async () => {
    const number = `WRK/${Date.now()}`;
    const valid = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number });
    const refs = {
      valid: await send(valid),
      duplicate: await send(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number, netAmount: 7 })),
      schema: await send(valid.replace('<P_2>', '<P_2_BAD>').replace('</P_2>', '</P_2_BAD>')),
      bom: await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid.replace(number, `${number}-BOM`))])),
      otherSeller: await send(buildSampleInvoice({ sellerNip: '1111111111', invoiceNumber: `${number}-X` })),
      more: await Promise.all(Array.from({ length: 6 }, (_, i) => send(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `${number}-${i}` })))),
    };
    const ok = await finalStatus(refs.valid);
    expect(ok.status).toEqual({ code: 200, description: 'Sukces' });
    expect(isValidKsefNumber(ok.ksefNumber)).toBe(true);

    const duplicate = await finalStatus(refs.duplicate);
    expect(duplicate.status.code).toBe(440);
    expect(duplicate.status.extensions).toMatchObject({ originalKsefNumber: ok.ksefNumber, originalSessionReferenceNumber: session });

    const schema = await finalStatus(refs.schema);
    expect(schema.status.code).toBe(430);
    expect(schema.status.details.join(' ')).toMatch(/P_2_BAD/);

    expect((await finalStatus(refs.bom)).status.code).toBe(430);
    expect((await finalStatus(refs.otherSeller)).status.code).toBe(410);
    for (const ref of refs.more) expect((await finalStatus(ref)).status.code).toBe(200);
  }, 60_000);

  it('workers that die are replaced: the next batch runs on new ones', async () => {
    const checker = sim.service.app.get(InvoiceChecker);
    const workers = (checker as unknown as { workers: { worker: Worker }[] }).workers;
    expect(workers).toHaveLength(2);
    await Promise.all(workers.map((w) => w.worker.terminate()));
    const ref = await send(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `WRK-CRASH/${Date.now()}` }));
    expect((await finalStatus(ref)).status.code).toBe(200);
    expect((checker as unknown as { workers: unknown[] }).workers).toHaveLength(2);
  }, 60_000);
});
