import { buildSampleInvoice, generateKsefNumber } from '@ksef-bridge/ksef-spec';
import { KsefLogicalError, sha256Base64, type KsefClient } from '../index';
import { randomNip, startSimFixture, type SimFixture } from '../../test/simulator-fixture';

// Reading invoices back by KSeF number and querying metadata, against the running simulator.
let fx: SimFixture;
let client: KsefClient;
let nip: string;
let xml: string;
let ksefNumber: string;
const buyerNip = randomNip();

beforeAll(async () => {
  fx = await startSimFixture({ env: { SIM_PROCESSING_DELAY_MS: '50', SIM_AUTH_DELAY_MS: '20' } });
  ({ client, nip } = await fx.newClient());
  xml = buildSampleInvoice({ sellerNip: nip, buyerNip, invoiceNumber: `FV/D/${Date.now()}` });
  const session = await client.openOnlineSession();
  const sent = await session.sendInvoice(xml);
  const outcome = await session.waitForInvoice(sent.referenceNumber, { intervalMs: 100, timeoutMs: 30_000 });
  if (outcome.kind !== 'accepted') throw new Error(`invoice not accepted: ${JSON.stringify(outcome)}`);
  ksefNumber = outcome.ksefNumber;
  await session.close();
}, 300_000);
afterAll(async () => {
  await fx?.stop();
});

describe('ksef-client invoice download and metadata (simulator)', () => {
  it('downloads the invoice by KSeF number, byte for byte as sent', async () => {
    const downloaded = await client.downloadInvoice(ksefNumber);
    expect(sha256Base64(downloaded)).toBe(sha256Base64(xml));
  });

  it('refuses an unknown KSeF number with 21164 (logical)', async () => {
    const error = await client.downloadInvoice(generateKsefNumber(nip, new Date())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefLogicalError);
    expect((error as KsefLogicalError).hasExceptionCode(21164)).toBe(true);
  });

  it('finds the invoice in a metadata query as the seller (Subject1)', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const result = await client.queryInvoiceMetadata({ subjectType: 'Subject1', dateRange: { dateType: 'Invoicing', from } }, { pageSize: 10 });
    const found = result.invoices.find((i) => i.ksefNumber === ksefNumber);
    expect(found).toBeDefined();
    expect(found!.seller.nip).toBe(nip);
    expect(found!.invoiceHash).toBe(sha256Base64(xml));
    expect(result.hasMore).toBe(false);
  });
  it('shows the invoice to the buyer (Subject2) in the buyer\'s own context', async () => {
    const { client: buyer } = await fx.newClient({ nip: buyerNip });
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const result = await buyer.queryInvoiceMetadata({ subjectType: 'Subject2', dateRange: { dateType: 'Invoicing', from } });
    expect(result.invoices.map((i) => i.ksefNumber)).toContain(ksefNumber);
    expect(await buyer.downloadInvoice(ksefNumber)).toBe(xml);
  });
});
