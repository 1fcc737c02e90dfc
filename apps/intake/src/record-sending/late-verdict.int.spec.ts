import { deadLetterTopic } from '@ksef-bridge/contracts';
import { newEnvelope } from '@ksef-bridge/outbox';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { waitFor } from '@ksef-bridge/testing';
import { startIntake, type Collected, type IntakeHarness } from '../test/intake-harness';

const NIP = '5261040828';
const SESSION = '20260115-SO-0000000002-0000000001-01';
const TOKEN = 'late-verdict-int-test-internal-token';
const UPO = `<?xml version="1.0" encoding="UTF-8"?><Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-2"><NazwaPodmiotuPrzyjmujacego>MF</NazwaPodmiotuPrzyjmujacego></Potwierdzenie>`;

// Issue #5 follow-ups, recorded by a real intake (Kafka + PostgreSQL): KSeF's verdict arriving after the status-poller
// escalated KSEF_NO_VERDICT (ESCALATED → ACCEPTED / REJECTED), after a person cancelled the invoice (CANCELLED →
// ACCEPTED: KSeF's acceptance is the legal fact; a late rejection leaves CANCELLED), the panel's retry of such an
// invoice (refused: KSeF has it), and the retry of an escalated offline invoice (back to OFFLINE, not QUEUED).
describe('late KSeF verdicts and retries of escalated invoices', () => {
  let intake: IntakeHarness;
  let statusChanged: Collected;

  beforeAll(async () => {
    intake = await startIntake({ internalApiToken: TOKEN });
    await intake.tenant('acme');
    statusChanged = await intake.collect(intake.topics.invoiceStatusChanged);
  }, 60_000);
  afterAll(() => intake?.close(), 60_000);

  const stateOf = async (id: string) => ((await intake.dataSource.query(`SELECT state FROM intake.invoices WHERE id = $1`, [id])) as Array<{ state: string }>)[0].state;
  const invoiceRow = async (id: string) =>
    ((await intake.dataSource.query(`SELECT state, ksef_number, acquisition_date, offline_mode FROM intake.invoices WHERE id = $1`, [id])) as Array<Record<string, unknown>>)[0];
  const history = async (id: string) =>
    (await intake.dataSource.query(`SELECT from_state, to_state, actor, ksef_number, error_code, details FROM intake.invoice_history WHERE invoice_id = $1 ORDER BY id`, [id])) as Array<Record<string, unknown>>;
  const until = (what: string, check: () => Promise<boolean>) => waitFor(async () => (await check()) || undefined, { what, timeoutMs: 60_000 });
  const inState = (id: string, state: string) => until(`${id} ${state}`, async () => (await stateOf(id)) === state);
  const ref = (n: number) => `20260115-EE-${String(n).padStart(10, '0')}-0000000002-01`;
  const ksefNumber = (n: number) => `${NIP}-20260115-${String(n).padStart(12, '0')}-B1`;
  const panel = async (id: string, action: 'retry' | 'cancel') => {
    const res = await fetch(`${intake.url}/internal/v1/panel/invoices/${id}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ola', reason: `${action} in a test` }),
    });
    return { status: res.status, body: (await res.json()) as { state?: string; changed?: boolean; error?: { code: string } } };
  };
  const publish = async (topic: string, type: string, id: string, payload: Record<string, unknown>, key = id) => {
    const envelope = newEnvelope({ type, version: 1, aggregateId: key, tenant: 'acme', payload });
    await intake.publisher.publish(topic, envelope);
    return envelope;
  };

  /** Taken in and validated: QUEUED, or OFFLINE with an offline marking. */
  async function validated(erpDocumentId: string, offline?: { mode: 'offline24' }): Promise<string> {
    const xmlBase64 = Buffer.from(buildSampleInvoice({ sellerNip: NIP, invoiceNumber: erpDocumentId })).toString('base64');
    await intake.publisher.publish(intake.topics.erpInvoiceSubmitted, newEnvelope({ type: 'erp.invoice-submitted', version: 1, aggregateId: erpDocumentId, tenant: 'acme', payload: { erpDocumentId, xmlBase64, offline } }));
    const { id } = await waitFor(async () => ((await intake.dataSource.query(`SELECT id FROM intake.invoices WHERE erp_document_id = $1`, [erpDocumentId])) as Array<{ id: string }>)[0], { what: `${erpDocumentId} taken in`, timeoutMs: 30_000 });
    const document = { invoiceId: id, sha256: 'a'.repeat(64), sizeBytes: 10 };
    await intake.publisher.publish(
      intake.topics.invoiceValidated,
      newEnvelope({ type: 'invoice.validated', version: 1, aggregateId: NIP, tenant: 'acme', payload: { invoiceId: id, erpDocumentId, contextNip: NIP, form: 'FA(3)', invoiceNumber: erpDocumentId, invoiceType: 'VAT', issueDate: '2026-01-15', document, offline } }),
    );
    await inState(id, offline ? 'OFFLINE' : 'QUEUED');
    return id;
  }

  /** Sent (the sender's receipt), then escalated by the status-poller for want of a verdict. */
  async function escalatedForNoVerdict(erpDocumentId: string, n: number): Promise<string> {
    const id = await validated(erpDocumentId);
    await publish(intake.topics.invoiceSubmitted, 'invoice.submitted', id, {
      invoiceId: id, erpDocumentId, contextNip: NIP, sessionReferenceNumber: SESSION, mode: 'online', invoiceReferenceNumber: ref(n),
      invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', submittedAt: new Date().toISOString(), attempt: 1, reconciled: false,
    });
    await inState(id, 'SENT');
    await publish(intake.topics.invoiceEscalated, 'invoice.escalated', id, {
      invoiceId: id, erpDocumentId, contextNip: NIP, actor: 'status-poller', code: 'KSEF_NO_VERDICT', message: 'no final KSeF status 3600 s after submission (last status 150)',
      attempts: 40, referenceNumbers: { sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(n) }, escalatedAt: new Date().toISOString(),
    });
    await inState(id, 'ESCALATED');
    return id;
  }

  const accepted = (id: string, erpDocumentId: string, n: number, upoXml?: string) =>
    publish(intake.topics.invoiceAccepted, 'invoice.accepted', id, {
      invoiceId: id, erpDocumentId, contextNip: NIP, ksefNumber: ksefNumber(n), acquisitionDate: '2026-01-15T10:11:12.345+00:00', sessionReferenceNumber: SESSION,
      invoiceReferenceNumber: ref(n), invoiceHash: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', upoXml, upoPending: upoXml === undefined, duplicate: false, acceptedAt: new Date().toISOString(),
    });
  const rejected = (id: string, erpDocumentId: string, n: number, key = id) =>
    publish(intake.topics.invoiceRejected, 'invoice.rejected', id, {
      invoiceId: id, erpDocumentId, contextNip: NIP, stage: 'processing', processingCode: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['P_15'],
      sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(n), rejectedAt: new Date().toISOString(),
    }, key);
  const reasons = (id: string) => statusChanged.of('invoice.status-changed').filter((e) => (e.payload as { invoiceId: string }).invoiceId === id).map((e) => e.payload as { from?: string; to: string; reason?: string });

  it('an escalation the status-poller made cannot be retried (KSeF has it); its late acceptance is recorded with the number and the UPO that follows', async () => {
    const id = await escalatedForNoVerdict('LV/1', 1);
    const retry = await panel(id, 'retry');
    expect(retry).toMatchObject({ status: 409, body: { error: { code: 'RETRY_NOT_POSSIBLE' } } });
    expect(await stateOf(id)).toBe('ESCALATED');

    await accepted(id, 'LV/1', 1);
    await inState(id, 'ACCEPTED');
    expect(await invoiceRow(id)).toMatchObject({ ksef_number: ksefNumber(1), acquisition_date: new Date('2026-01-15T10:11:12.345Z') });
    const last = (await history(id)).pop();
    expect(last).toMatchObject({ from_state: 'ESCALATED', to_state: 'ACCEPTED', actor: 'status-poller', ksef_number: ksefNumber(1), details: expect.objectContaining({ lateVerdict: true, upoPending: true }) });
    await until('the status-changed event', async () => reasons(id).some((r) => r.to === 'ACCEPTED'));
    expect(reasons(id).find((r) => r.to === 'ACCEPTED')?.reason).toMatch(/after it was escalated/);

    // The UPO follows as usual (invoice.upo-received); a retry now changes nothing.
    await publish(intake.topics.invoiceUpoReceived, 'invoice.upo-received', id, {
      invoiceId: id, erpDocumentId: 'LV/1', contextNip: NIP, ksefNumber: ksefNumber(1), sessionReferenceNumber: SESSION, invoiceReferenceNumber: ref(1), upoXml: UPO, acceptedAt: new Date().toISOString(), receivedAt: new Date().toISOString(),
    });
    await until('UPO stored', async () => ((await intake.dataSource.query(`SELECT 1 FROM intake.invoice_upos WHERE invoice_id = $1`, [id])) as unknown[]).length === 1);
    expect(await panel(id, 'retry')).toMatchObject({ status: 200, body: { state: 'ACCEPTED', changed: false } });
  });

  it('a late rejection of an escalated invoice: ESCALATED → REJECTED with KSeF code', async () => {
    const id = await escalatedForNoVerdict('LV/2', 2);
    await rejected(id, 'LV/2', 2);
    await inState(id, 'REJECTED');
    expect((await history(id)).pop()).toMatchObject({ from_state: 'ESCALATED', to_state: 'REJECTED', actor: 'status-poller', error_code: 'KSEF_450' });
  });

  it('KSeF accepts an invoice a person cancelled: recorded as ACCEPTED (the legal fact), the cancellation kept in the history', async () => {
    const id = await escalatedForNoVerdict('LV/3', 3);
    expect(await panel(id, 'cancel')).toMatchObject({ status: 200, body: { state: 'CANCELLED', changed: true } });
    await accepted(id, 'LV/3', 3, UPO);
    await inState(id, 'ACCEPTED');
    const rows = await history(id);
    expect(rows.slice(-2).map((h) => [h['from_state'], h['to_state'], h['actor']])).toEqual([
      ['ESCALATED', 'CANCELLED', 'panel:ola'],
      ['CANCELLED', 'ACCEPTED', 'status-poller'],
    ]);
    expect(rows[rows.length - 1]['details']).toMatchObject({ lateVerdict: true, overridesCancellation: true, upoPending: false });
    expect(await invoiceRow(id)).toMatchObject({ ksef_number: ksefNumber(3) });
    await until('the status-changed event', async () => reasons(id).some((r) => r.to === 'ACCEPTED'));
    expect(reasons(id).find((r) => r.to === 'ACCEPTED')?.reason).toMatch(/after it was cancelled: it exists in KSeF/);
  });

  it('a late rejection of a cancelled invoice leaves it CANCELLED (KSeF does not have it either)', async () => {
    const id = await escalatedForNoVerdict('LV/4', 4);
    await panel(id, 'cancel');
    await inState(id, 'CANCELLED');
    const before = (await history(id)).length;
    const deadLetters = await intake.collect(deadLetterTopic(intake.topics.invoiceRejected));
    const marker = await escalatedForNoVerdict('LV/4m', 40);
    const late = await rejected(id, 'LV/4', 4);
    // The marker's rejection, on the same Kafka key (so the same partition, after it), proves the late one was consumed.
    await rejected(marker, 'LV/4m', 40, id);
    await inState(marker, 'REJECTED');
    expect(await stateOf(id)).toBe('CANCELLED');
    expect((await history(id)).length).toBe(before);
    // Consumed as a no-op, not refused onto the dead-letter topic.
    expect(deadLetters.messages.map((m) => m.envelope.id)).not.toContain(late.id);
  });

  it('a retry of an escalated OFFLINE invoice goes back to OFFLINE with its marking; an online one to QUEUED', async () => {
    const offline = await validated('LV/5', { mode: 'offline24' });
    const online = await validated('LV/6');
    for (const [id, doc] of [[offline, 'LV/5'], [online, 'LV/6']]) {
      await publish(intake.topics.invoiceEscalated, 'invoice.escalated', id, {
        invoiceId: id, erpDocumentId: doc, contextNip: NIP, actor: 'sender', code: 'ATTEMPTS_EXHAUSTED', message: '8 attempts failed', attempts: 8, lastHttpStatus: 503, escalatedAt: new Date().toISOString(),
      });
      await inState(id, 'ESCALATED');
    }
    expect(await panel(offline, 'retry')).toMatchObject({ status: 200, body: { state: 'OFFLINE', changed: true } });
    expect(await invoiceRow(offline)).toMatchObject({ state: 'OFFLINE', offline_mode: 'offline24' });
    expect((await history(offline)).pop()).toMatchObject({ from_state: 'ESCALATED', to_state: 'OFFLINE', actor: 'panel:ola' });
    expect(await panel(offline, 'retry')).toMatchObject({ status: 200, body: { state: 'OFFLINE', changed: false } });
    expect(await panel(online, 'retry')).toMatchObject({ status: 200, body: { state: 'QUEUED', changed: true } });
  });
});
