import { buildSampleInvoice, createKsefXmlValidator, isValidKsefNumber, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { DocClient, FA2, FA3, SessionCrypto, sha256, startSimulator, type RunningSimulator } from '../../test/simulator-harness';

const NIP = '5265877635';

describe('interactive session (real crypto, async processing, UPO)', () => {
  let sim: RunningSimulator;
  let client: DocClient;
  let upoValidator: KsefXmlValidator;

  beforeAll(async () => {
    sim = await startSimulator();
    client = new DocClient(sim);
    await client.authenticateWithToken(NIP, await client.seedToken(NIP));
    upoValidator = await createKsefXmlValidator();
  });
  afterAll(async () => {
    upoValidator.close();
    await sim.close();
  });

  async function openSession(form = FA3) {
    const crypto = new SessionCrypto();
    const res = await client.call('POST', '/v2/sessions/online', { body: { formCode: form, encryption: crypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')) } });
    expect(res.status).toBe(201);
    return { crypto, ref: res.body.referenceNumber as string };
  }

  async function finalStatus(sessionRef: string, invoiceRef: string) {
    return waitFor(async () => {
      const res = await client.call('GET', `/v2/sessions/${sessionRef}/invoices/${invoiceRef}`);
      return res.body.status.code >= 200 ? res.body : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, what: 'final invoice status' });
  }

  it('accepts an FA(3) invoice: 202, then 200 with a valid KSeF number, UPO that validates, session UPO after close', async () => {
    const { crypto, ref } = await openSession();
    const xml = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `FV/${Date.now()}` });
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(xml) });
    expect(sent.status).toBe(202);
    const status = await finalStatus(ref, sent.body.referenceNumber);
    expect(status.status).toEqual({ code: 200, description: 'Sukces' });
    expect(isValidKsefNumber(status.ksefNumber)).toBe(true);
    expect(status.ksefNumber.startsWith(NIP)).toBe(true);
    expect(status.invoicingMode).toBe('Online');

    const upo = await client.call('GET', `/v2/sessions/${ref}/invoices/${sent.body.referenceNumber}/upo`);
    expect(upo.status).toBe(200);
    expect(upo.headers.get('content-type')).toContain('application/xml');
    expect(upoValidator.validate('UPO-v4-3', upo.text).problems).toEqual([]);
    expect(upo.text).toContain(status.ksefNumber);
    const byKsef = await client.call('GET', `/v2/sessions/${ref}/invoices/ksef/${status.ksefNumber}/upo`);
    expect(byKsef.text).toBe(upo.text);
    const link = await fetch(status.upoDownloadUrl);
    expect(link.status).toBe(200);

    expect((await client.call('POST', `/v2/sessions/online/${ref}/close`)).status).toBe(204);
    const closed = await waitFor(async () => {
      const res = await client.call('GET', `/v2/sessions/${ref}`);
      return res.body.status.code === 200 ? res.body : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, what: 'session processed' });
    expect(closed).toMatchObject({ invoiceCount: 1, successfulInvoiceCount: 1, failedInvoiceCount: 0 });
    const page = closed.upo.pages[0];
    const sessionUpo = await fetch(page.downloadUrl);
    const sessionUpoXml = await sessionUpo.text();
    expect(upoValidator.validate('UPO-v4-3', sessionUpoXml).problems).toEqual([]);
    expect(sessionUpoXml).toContain('<CalkowitaLiczbaDokumentow>1</CalkowitaLiczbaDokumentow>');
    const viaApi = await client.call('GET', `/v2/sessions/${ref}/upo/${page.referenceNumber}`);
    expect(viaApi.text).toBe(sessionUpoXml);
    expect((await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(xml) })).body.exception.exceptionDetailList[0].exceptionCode).toBe(21180);
  });

  it('detects duplicates on (seller NIP, kind, number): 440 with the original KSeF number and session', async () => {
    const { crypto, ref } = await openSession();
    const number = `DUP/${Date.now()}`;
    const first = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number })) });
    const original = await finalStatus(ref, first.body.referenceNumber);
    // Same key, different content (another amount): still a duplicate.
    const again = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number, netAmount: 5 })) });
    const dup = await finalStatus(ref, again.body.referenceNumber);
    expect(dup.status.code).toBe(440);
    expect(dup.status.description).toBe('Duplikat faktury');
    expect(dup.status.extensions).toEqual({ originalSessionReferenceNumber: ref, originalKsefNumber: original.ksefNumber });
    expect(dup.ksefNumber).toBeUndefined();
    const failed = await client.call('GET', `/v2/sessions/${ref}/invoices/failed`);
    expect(failed.body.invoices.map((i: { referenceNumber: string }) => i.referenceNumber)).toEqual([again.body.referenceNumber]);
    const all = await client.call('GET', `/v2/sessions/${ref}/invoices`);
    expect(all.body.invoices).toHaveLength(2);
  });

  it('rejects wrong sizes and hashes synchronously (21402 / 21403) and reports XSD errors as 430', async () => {
    const { crypto, ref } = await openSession();
    const xml = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `BAD/${Date.now()}` });
    const good = crypto.sendRequest(xml);
    const wrongSize = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: { ...good, invoiceSize: good.invoiceSize + 1 } });
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.body.exception.exceptionDetailList[0].exceptionCode).toBe(21402);
    const wrongHash = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: { ...good, invoiceHash: good.encryptedInvoiceHash } });
    expect(wrongHash.body.exception.exceptionDetailList[0].exceptionCode).toBe(21403);
    const wrongEncHash = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: { ...good, encryptedInvoiceHash: good.invoiceHash } });
    expect(wrongEncHash.body.exception.exceptionDetailList[0].exceptionCode).toBe(21403);
    const problem = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: { ...good, invoiceSize: 1 }, headers: { 'x-error-format': 'problem-details' } });
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.body.errors[0].code).toBe(21402);

    const invalid = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(xml.replace('<KodWaluty>PLN</KodWaluty>', '<KodWaluty>QQQ</KodWaluty>')) });
    const rejected = await finalStatus(ref, invalid.body.referenceNumber);
    expect(rejected.status.code).toBe(430);
    expect(rejected.status.details.join()).toMatch(/KodWaluty/);
  });

  it('reports an undecryptable invoice as 435 and a wrong session key as session status 415', async () => {
    const { crypto, ref } = await openSession();
    const other = new SessionCrypto();
    // Encrypted with another key: hashes of the ciphertext match, decryption fails (or yields garbage with bad padding).
    const xml = Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `ENC/${Date.now()}` }));
    const encrypted = other.encrypt(xml);
    const body = { ...crypto.sendRequest(xml), encryptedInvoiceContent: encrypted.toString('base64'), encryptedInvoiceSize: encrypted.length, encryptedInvoiceHash: sha256(encrypted) };
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body });
    if (sent.status === 202) expect((await finalStatus(ref, sent.body.referenceNumber)).status.code).toBe(435);
    else expect(sent.body.exception.exceptionDetailList[0].exceptionCode).toBe(21403); // padding happened to be valid: garbage fails the plaintext hash

    const badKey = await client.call('POST', '/v2/sessions/online', {
      body: { formCode: FA3, encryption: { encryptedSymmetricKey: Buffer.alloc(256, 1).toString('base64'), initializationVector: crypto.iv.toString('base64') } },
    });
    expect(badKey.status).toBe(201);
    expect((await client.call('GET', `/v2/sessions/${badKey.body.referenceNumber}`)).body.status.code).toBe(415);
  });

  it('accepts FA(2) in test mode and validates against the FA(2) schema', async () => {
    const { crypto, ref } = await openSession(FA2);
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ form: 'FA(2)', sellerNip: NIP, invoiceNumber: `FA2/${Date.now()}` })) });
    expect((await finalStatus(ref, sent.body.referenceNumber)).status.code).toBe(200);
    const wrongForm = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `FA3in2/${Date.now()}` })) });
    expect((await finalStatus(ref, wrongForm.body.referenceNumber)).status.code).toBe(430);
  });

  it('refuses another context (403), unknown sessions (21173) and missing tokens (401)', async () => {
    const { ref } = await openSession();
    const other = new DocClient(sim);
    await other.authenticateWithToken('1111111111', await other.seedToken('1111111111'));
    const foreign = await other.call('GET', `/v2/sessions/${ref}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.reasonCode).toBe('insufficient-resource-access');
    expect((await client.call('GET', '/v2/sessions/20250101-SO-0000000000-0000000000-00')).body.exception.exceptionDetailList[0].exceptionCode).toBe(21173);
    const anonymous = await client.call('GET', `/v2/sessions/${ref}`, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
  });

  it('finds accepted invoices by metadata (as seller and buyer) and downloads the exact XML by KSeF number', async () => {
    const { crypto, ref } = await openSession();
    const number = `MD/${Date.now()}`;
    const xml = buildSampleInvoice({ sellerNip: NIP, buyerNip: '1111111111', invoiceNumber: number, netAmount: 200 });
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(xml) });
    const accepted = await finalStatus(ref, sent.body.referenceNumber);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const query = await client.call('POST', '/v2/invoices/query/metadata?pageSize=250', { body: { subjectType: 'Subject1', dateRange: { dateType: 'Invoicing', from }, invoiceNumber: number } });
    expect(query.status).toBe(200);
    expect(query.body.invoices).toEqual([
      expect.objectContaining({ ksefNumber: accepted.ksefNumber, invoiceNumber: number, seller: { nip: NIP, name: 'Sprzedawca Testowy' }, buyer: { identifier: { type: 'Nip', value: '1111111111' }, name: 'Nabywca Testowy' }, netAmount: 200, vatAmount: 46, grossAmount: 246, invoiceType: 'Vat' }),
    ]);
    const download = await client.call('GET', `/v2/invoices/ksef/${accepted.ksefNumber}`);
    expect(download.status).toBe(200);
    expect(download.text).toBe(xml);
    const buyer = new DocClient(sim);
    await buyer.authenticateWithToken('1111111111', await buyer.seedToken('1111111111'));
    const asBuyer = await buyer.call('POST', '/v2/invoices/query/metadata', { body: { subjectType: 'Subject2', dateRange: { dateType: 'Issue', from: '2020-01-01' }, ksefNumber: accepted.ksefNumber } });
    expect(asBuyer.body.invoices).toHaveLength(1);
    const stranger = new DocClient(sim);
    await stranger.authenticateWithToken('2222222222', await stranger.seedToken('2222222222'));
    expect((await stranger.call('GET', `/v2/invoices/ksef/${accepted.ksefNumber}`)).body.exception.exceptionDetailList[0].exceptionCode).toBe(21164);
  });

  it('lists sessions with live invoice counts and date/status filters', async () => {
    const { crypto, ref } = await openSession();
    await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `LS/${Date.now()}` })) });
    const from = encodeURIComponent(new Date(Date.now() - 60_000).toISOString());
    const list = await client.call('GET', `/v2/sessions?sessionType=Online&referenceNumber=${ref}&dateCreatedFrom=${from}&statuses=InProgress`);
    expect(list.body.sessions).toEqual([expect.objectContaining({ referenceNumber: ref, totalInvoiceCount: 1 })]);
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expect((await client.call('GET', `/v2/sessions?sessionType=Online&dateCreatedFrom=${future}`)).body.sessions).toEqual([]);
    expect((await client.call('GET', '/v2/sessions?sessionType=Online&dateCreatedFrom=nonsense')).status).toBe(400);
  });

  it('exports accepted invoices: encrypted ZIP parts with {ksefNumber}.xml files and _metadata.json', async () => {
    const { crypto, ref } = await openSession();
    const number = `EXP/${Date.now()}`;
    const xml = buildSampleInvoice({ sellerNip: NIP, invoiceNumber: number });
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(xml) });
    const accepted = await finalStatus(ref, sent.body.referenceNumber);
    const exportCrypto = new SessionCrypto();
    const started = await client.call('POST', '/v2/invoices/exports', {
      body: { encryption: exportCrypto.encryptionInfo(await client.certificate('SymmetricKeyEncryption')), filters: { subjectType: 'Subject1', dateRange: { dateType: 'PermanentStorage', from: '2020-01-01T00:00:00Z' }, invoiceNumber: number } },
    });
    expect(started.status).toBe(201);
    const done = await waitFor(async () => {
      const res = await client.call('GET', `/v2/invoices/exports/${started.body.referenceNumber}`);
      return res.body.status.code !== 100 ? res.body : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, what: 'export done' });
    expect(done).toMatchObject({ status: { code: 200 }, package: { invoiceCount: 1, isTruncated: false } });
    const part = done.package.parts[0];
    const encrypted = Buffer.from(await (await fetch(part.url)).arrayBuffer());
    expect(sha256(encrypted)).toBe(part.encryptedPartHash);
    const { createDecipheriv } = await import('node:crypto');
    const decipher = createDecipheriv('aes-256-cbc', exportCrypto.key, exportCrypto.iv);
    const zip = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    expect(sha256(zip)).toBe(part.partHash);
    const { unzipSync } = await import('fflate');
    const files = unzipSync(zip);
    expect(Buffer.from(files[`${accepted.ksefNumber}.xml`]).toString()).toBe(xml);
    expect(JSON.parse(Buffer.from(files['_metadata.json']).toString()).invoices[0].ksefNumber).toBe(accepted.ksefNumber);
    expect((await client.call('GET', '/v2/invoices/exports/20250101-EH-0000000000-0000000000-00')).body.exception.exceptionDetailList[0].exceptionCode).toBe(21175);
  });

  it('keeps state across a restart (PostgreSQL), including keys and tokens', async () => {
    const { crypto, ref } = await openSession();
    const sent = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `RS/${Date.now()}` })) });
    await sim.restart();
    const status = await finalStatus(ref, sent.body.referenceNumber);
    expect(status.status.code).toBe(200);
    const more = await client.call('POST', `/v2/sessions/online/${ref}/invoices`, { body: crypto.sendRequest(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: `RS2/${Date.now()}` })) });
    expect(more.status).toBe(202);
    expect((await finalStatus(ref, more.body.referenceNumber)).ordinalNumber).toBe(2);
  });
});

describe('HTTP edge', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('accepts an empty body sent as application/json and answers malformed JSON with 21405', async () => {
    const empty = await fetch(`${sim.url}/v2/auth/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(200);
    const broken = await fetch(`${sim.url}/v2/auth/ksef-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"challenge":' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { exception: { exceptionDetailList: { exceptionCode: number }[] } }).exception.exceptionDetailList[0].exceptionCode).toBe(21405);
  });
});
