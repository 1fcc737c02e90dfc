import { deadLetterTopic, HEADER, type Envelope } from '@ksef-bridge/contracts';
import { createKafka, DLT_HEADER, type KafkaClient } from '@ksef-bridge/kafka';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { newEnvelope } from '@ksef-bridge/outbox';
import { randomGroup, testKafkaBrokers, waitFor } from '@ksef-bridge/testing';
import { startIntake, type Collected, type IntakeHarness } from '../test/intake-harness';
import { INJECTION_STRINGS } from './injection-strings';

/** A dead-letter record as it lies on the topic (a DLT record of a non-envelope is not an envelope either). */
interface RawRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

// Hostile messages at the Kafka door of a real intake. Every message sent with one Kafka key, so all share a
// partition: the good message published after the bad ones proves the door keeps going. Each bad envelope is answered
// by intake.rejected (exact code) and a dead-letter record; a message that is no envelope at all is dead-lettered by
// the consumer runner (no tenant or document id to answer to). Nothing is lost.
describe('Kafka door under hostile input', () => {
  const KEY = 'hostile-partition';
  let intake: IntakeHarness;
  let client: KafkaClient;
  let rejected: Collected;
  const deadLetters: RawRecord[] = [];
  let stopRaw: () => Promise<void>;

  beforeAll(async () => {
    intake = await startIntake({ maxDocumentBytes: 50_000 });
    await intake.tenant('acme');
    await intake.tenant('gone');
    await intake.dataSource.query(`UPDATE intake.tenants SET disabled_at = now() WHERE id = 'gone'`);
    rejected = await intake.collect(intake.topics.intakeRejected);
    client = createKafka({ brokers: testKafkaBrokers(), clientId: 'hostile-test' });
    const consumer = client.raw.consumer({ groupId: randomGroup('hostile-dlt') });
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic(intake.topics.erpInvoiceSubmitted), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
        deadLetters.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      },
    });
    stopRaw = () => consumer.disconnect();
  }, 60_000);
  afterAll(async () => {
    await stopRaw?.();
    await intake?.close();
  }, 60_000);

  const xml = (n: string) => buildSampleInvoice({ sellerNip: '5252487317', invoiceNumber: n, issueDate: '2026-10-05' });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const envelope = (payload: unknown, tenant = 'acme', type = 'erp.invoice-submitted', version = 1): Envelope =>
    newEnvelope({ type, version, aggregateId: KEY, tenant, payload });
  const invoicesOf = (erpDocumentId: string) => intake.dataSource.query(`SELECT id, erp_document_id, metadata FROM intake.invoices WHERE tenant_id = 'acme' AND erp_document_id = $1`, [erpDocumentId]) as Promise<Array<{ id: string; erp_document_id: string; metadata: Record<string, string> }>>;

  const badEnvelopes: Array<[string, Envelope, string]> = [
    ['a payload of the wrong schema', envelope({ invoice: { number: 'FV/1' } }), 'REQUEST_INVALID'],
    ['a metadata value that is not a string', envelope({ erpDocumentId: 'KH/2', xmlBase64: b64(xml('KH/2')), metadata: { total: 123 } }), 'REQUEST_INVALID'],
    ['the wrong message type', envelope({ erpDocumentId: 'KH/3', xmlBase64: b64(xml('KH/3')) }, 'acme', 'invoice.received'), 'REQUEST_INVALID'],
    ['an unknown tenant', envelope({ erpDocumentId: 'KH/4', xmlBase64: b64(xml('KH/4')) }, 'nobody'), 'UNKNOWN_TENANT'],
    ['a tenant with SQL injection', envelope({ erpDocumentId: 'KH/5', xmlBase64: b64(xml('KH/5')) }, `acme' OR '1'='1`), 'UNKNOWN_TENANT'],
    ['a disabled tenant', envelope({ erpDocumentId: 'KH/6', xmlBase64: b64(xml('KH/6')) }, 'gone'), 'UNKNOWN_TENANT'],
    ['invalid base64', envelope({ erpDocumentId: 'KH/7', xmlBase64: '<Faktura/>' }), 'REQUEST_INVALID'],
    ['a document above INTAKE_MAX_DOCUMENT_BYTES', envelope({ erpDocumentId: 'KH/8', xmlBase64: b64(`<a>${'x'.repeat(60_000)}</a>`) }), 'DOCUMENT_TOO_LARGE'],
    ['Latin-2 bytes', envelope({ erpDocumentId: 'KH/9', xmlBase64: Buffer.from('<a>\xb1\xea</a>', 'latin1').toString('base64') }), 'DOCUMENT_ENCODING'],
    ['a billion-laughs document', envelope({ erpDocumentId: 'KH/10', xmlBase64: b64(`<!DOCTYPE a [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]><a>&l9;</a>`) }), 'XML_MALFORMED'],
    ['an empty document', envelope({ erpDocumentId: 'KH/12', xmlBase64: '' }), 'REQUEST_INVALID'],
    // U+0000 cannot be stored by PostgreSQL (text, or the outbox's jsonb): refused up front with a precise code, and
    // the answer and the dead-letter copy carry it as the text `\u0000`, so the ERP gets its intake.rejected.
    ['a NUL in the document id', envelope({ erpDocumentId: 'KH/\u000011', xmlBase64: b64(xml('KH/11')) }), 'TEXT_CHARACTER_NOT_ALLOWED'],
    ['a NUL in a metadata value', envelope({ erpDocumentId: 'KH/13', xmlBase64: b64(xml('KH/13')), metadata: { note: 'a\u0000b' } }), 'TEXT_CHARACTER_NOT_ALLOWED'],
    ['a NUL in a metadata key', envelope({ erpDocumentId: 'KH/14', xmlBase64: b64(xml('KH/14')), metadata: { 'no\u0000te': 'x' } }), 'TEXT_CHARACTER_NOT_ALLOWED'],
    ['a NUL in the document id of an otherwise invalid payload', envelope({ erpDocumentId: 'KH/\u000015', xmlBase64: '<not base64>', metadata: { total: 1 } }), 'TEXT_CHARACTER_NOT_ALLOWED'],
    ['a control character in a metadata value', envelope({ erpDocumentId: 'KH/16', xmlBase64: b64(xml('KH/16')), metadata: { note: 'bell\u0007' } }), 'TEXT_CHARACTER_NOT_ALLOWED'],
  ];
  const notEnvelopes: Array<[string, string]> = [
    ['bytes that are not JSON', '\u0000\u00ff<Faktura>not json'],
    ['JSON that is no envelope', JSON.stringify({ erpDocumentId: 'KH/raw', xmlBase64: b64(xml('KH/raw')) })],
  ];

  it('answers every bad message precisely, loses none, and takes in the good one published after them', async () => {
    const injected = INJECTION_STRINGS.map((s, i) => envelope({ erpDocumentId: s, xmlBase64: b64(xml(`KH/inj/${i}`)), metadata: { note: s } }));
    const producer = client.raw.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: intake.topics.erpInvoiceSubmitted, messages: notEnvelopes.map(([, value]) => ({ key: KEY, value })) });
    } finally {
      await producer.disconnect();
    }
    for (const [, e] of badEnvelopes) await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, e);
    for (const e of injected) await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, e);
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, envelope({ erpDocumentId: 'KH/good', xmlBase64: b64(xml('KH/good')) }));

    // The good message, behind every bad one on the same partition, is taken in.
    await waitFor(async () => (await invoicesOf('KH/good')).length === 1, { what: 'the good invoice after the bad ones', timeoutMs: 60_000 });

    // Each bad envelope: one intake.rejected with its exact code and one dead-letter record with the same code.
    const rejectionOf = (e: Envelope) => rejected.of('intake.rejected').filter((r) => (r.payload as { sourceMessageId: string }).sourceMessageId === e.id);
    await waitFor(() => badEnvelopes.every(([, e]) => rejectionOf(e).length === 1), { what: 'a rejection for every bad envelope', timeoutMs: 60_000 });
    expect(badEnvelopes.map(([what, e]) => [what, (rejectionOf(e)[0].payload as { code: string }).code])).toEqual(badEnvelopes.map(([what, , code]) => [what, code]));
    for (const [, e] of badEnvelopes) expect(rejectionOf(e)[0].tenant).toBe(e.tenant);

    const allBad = badEnvelopes;
    await waitFor(() => deadLetters.length >= allBad.length + notEnvelopes.length, { what: 'dead-letter records', timeoutMs: 60_000 });
    const dltOf = (e: Envelope) => deadLetters.filter((d) => d.headers[HEADER.messageId] === e.id);
    expect(allBad.map(([what, e]) => [what, dltOf(e).map((d) => d.headers[DLT_HEADER.errorCode])])).toEqual(allBad.map(([what, , code]) => [what, [code]]));
    // The NUL answers: the field and the character named; the document id quoted with the NUL written as `\u0000`.
    const nulId = badEnvelopes.find(([what]) => what === 'a NUL in the document id')![1];
    expect(rejectionOf(nulId)[0].payload).toMatchObject({ erpDocumentId: 'KH/\\u000011', message: expect.stringContaining('payload.erpDocumentId contains U+0000 at index 3') });
    const nulKey = badEnvelopes.find(([what]) => what === 'a NUL in a metadata key')![1];
    expect((rejectionOf(nulKey)[0].payload as { message: string }).message).toContain('U+0000');
    const nulDlt = JSON.parse(dltOf(nulId)[0].value) as { payload: { erpDocumentId: string; xmlBase64: string } };
    expect(nulDlt.payload).toEqual({ erpDocumentId: 'KH/\\u000011', xmlBase64: b64(xml('KH/11')) });
    // Messages that are no envelope keep their original bytes on the dead-letter topic, refused as VALIDATION_FAILED.
    for (const [, value] of notEnvelopes) {
      const record = deadLetters.find((d) => d.value === value);
      expect(record).toMatchObject({ key: KEY, headers: { [DLT_HEADER.errorCode]: 'VALIDATION_FAILED', [DLT_HEADER.originalTopic]: intake.topics.erpInvoiceSubmitted } });
    }

    // Injection strings are stored verbatim as the ERP's document ids and metadata, and nothing else was created.
    for (const s of INJECTION_STRINGS) {
      const rows = await invoicesOf(s);
      expect(rows.map((r) => [r.erp_document_id, r.metadata])).toEqual([[s, { note: s }]]);
    }
    const [{ n }] = await intake.dataSource.query(`SELECT count(*)::int AS n FROM intake.invoices`);
    expect(n).toBe(INJECTION_STRINGS.length + 1);
  }, 180_000);
});
