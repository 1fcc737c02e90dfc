import { randomUUID } from 'node:crypto';
import {
  invoiceAccepted,
  invoiceEscalated,
  invoiceInvalid,
  invoiceRejected,
  invoiceUpoReceived,
  notificationInvoiceAccepted,
  notificationInvoiceEscalated,
  notificationInvoiceRejected,
  notificationInvoiceUpoAvailable,
} from '@ksef-bridge/contracts';
import { waitFor } from '@ksef-bridge/testing';
import { acceptedPayload, escalatedPayload, invalidPayload, rejectedPayload, UPO_XML } from '../test/internal-events';
import { createWorld, dropWorld, internalEvent, startNotifier, type Collected, type NotifierHarness, type NotifierWorld } from '../test/notifier-harness';

// Real Kafka and PostgreSQL: every internal outcome becomes exactly one public event, whatever is redelivered.
jest.setTimeout(120_000);

describe('notifier: internal outcomes → public events', () => {
  let world: NotifierWorld;
  let notifier: NotifierHarness;
  let accepted: Collected;
  let rejected: Collected;
  let escalated: Collected;
  let upoAvailable: Collected;

  beforeAll(async () => {
    world = await createWorld();
    notifier = await startNotifier(world);
    accepted = await notifier.collect(world.topics.notificationInvoiceAccepted);
    rejected = await notifier.collect(world.topics.notificationInvoiceRejected);
    escalated = await notifier.collect(world.topics.notificationInvoiceEscalated);
    upoAvailable = await notifier.collect(world.topics.notificationInvoiceUpoAvailable);
  });

  afterAll(async () => {
    await notifier?.close();
    if (world) await dropWorld(world);
  });

  const ofInvoice = (c: Collected, invoiceId: string) => c.messages.filter((m) => m.envelope.aggregateId === invoiceId);
  const rows = async (invoiceId: string) => (await notifier.dataSource.query(`SELECT event_type FROM notifier.notifications WHERE invoice_id = $1`, [invoiceId])) as unknown[];
  /** Absence needs a window: the duplicates were published before the first copy's outcome was awaited, so they were consumed by now. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it('invoice.accepted redelivered (same id) and reported again (new id): one public accepted event, keyed by invoice id, with the UPO', async () => {
    const invoiceId = randomUUID();
    const first = internalEvent(invoiceAccepted.type, 'acme', invoiceId, acceptedPayload(invoiceId));
    await notifier.publish(world.topics.invoiceAccepted, first);
    await notifier.publish(world.topics.invoiceAccepted, first);
    await notifier.publish(world.topics.invoiceAccepted, internalEvent(invoiceAccepted.type, 'acme', invoiceId, acceptedPayload(invoiceId)));
    await waitFor(() => ofInvoice(accepted, invoiceId).length > 0, { what: 'public accepted event' });
    await settle();
    const events = ofInvoice(accepted, invoiceId);
    expect(events).toHaveLength(1);
    expect(events[0].key).toBe(invoiceId);
    const event = notificationInvoiceAccepted.parse(events[0].envelope);
    expect(event.tenant).toBe('acme');
    expect(event.payload).toMatchObject({ invoiceId, erpDocumentId: `FV/${invoiceId.slice(0, 8)}`, ksefNumber: '5265877635-20260101-0100001AF629-AF', acquisitionDate: '2026-01-01T10:00:01.000Z', upo: { status: 'available', xml: UPO_XML } });
    expect(await rows(invoiceId)).toHaveLength(1);
  });

  it('invoice.rejected (KSeF processing) and invoice.invalid (validation) become public rejections with their reason, once each', async () => {
    const ksefRejected = randomUUID();
    const invalid = randomUUID();
    const rej = internalEvent(invoiceRejected.type, 'acme', ksefRejected, rejectedPayload(ksefRejected));
    const inv = internalEvent(invoiceInvalid.type, 'acme', invalid, invalidPayload(invalid));
    for (const _ of [1, 2]) {
      await notifier.publish(world.topics.invoiceRejected, rej);
      await notifier.publish(world.topics.invoiceInvalid, inv);
    }
    await waitFor(() => ofInvoice(rejected, ksefRejected).length > 0 && ofInvoice(rejected, invalid).length > 0, { what: 'both public rejections' });
    await settle();
    expect(ofInvoice(rejected, ksefRejected)).toHaveLength(1);
    expect(ofInvoice(rejected, invalid)).toHaveLength(1);
    expect(notificationInvoiceRejected.parse(ofInvoice(rejected, ksefRejected)[0].envelope).payload).toMatchObject({ reason: 'ksef-processing', errors: [{ code: '450' }], ksef: { processingCode: 450 } });
    expect(notificationInvoiceRejected.parse(ofInvoice(rejected, invalid)[0].envelope).payload).toMatchObject({
      reason: 'validation',
      errors: [{ code: 'NIP_CHECKSUM', message: 'Nieprawidłowa suma kontrolna NIP', messageEn: 'Invalid NIP checksum', xpath: '/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP' }],
    });
  });

  it('an invoice escalated twice (two escalation events) gives two public escalations; a redelivered one gives none more', async () => {
    const invoiceId = randomUUID();
    const one = internalEvent(invoiceEscalated.type, 'acme', invoiceId, escalatedPayload(invoiceId));
    const two = internalEvent(invoiceEscalated.type, 'acme', invoiceId, { ...escalatedPayload(invoiceId), code: 'KSEF_FORBIDDEN' });
    for (const e of [one, one, two, two]) await notifier.publish(world.topics.invoiceEscalated, e);
    await waitFor(() => ofInvoice(escalated, invoiceId).length >= 2, { what: 'two public escalations' });
    await settle();
    const codes = ofInvoice(escalated, invoiceId).map((m) => notificationInvoiceEscalated.parse(m.envelope).payload.code);
    expect(codes.sort()).toEqual(['ATTEMPTS_EXHAUSTED', 'KSEF_FORBIDDEN']);
  });

  it('accepted with the UPO pending, then the late UPO (redelivered): one accepted (pending) and one upo-available with the XML', async () => {
    const invoiceId = randomUUID();
    await notifier.publish(world.topics.invoiceAccepted, internalEvent(invoiceAccepted.type, 'acme', invoiceId, { ...acceptedPayload(invoiceId), upoXml: undefined, upoPending: true }));
    const { invoiceId: _, erpDocumentId, contextNip, ksefNumber, sessionReferenceNumber, invoiceReferenceNumber, acceptedAt } = acceptedPayload(invoiceId);
    const late = internalEvent(invoiceUpoReceived.type, 'acme', invoiceId, { invoiceId, erpDocumentId, contextNip, ksefNumber, sessionReferenceNumber, invoiceReferenceNumber, acceptedAt, upoXml: UPO_XML, receivedAt: '2026-01-01T11:00:00.000Z' });
    await notifier.publish(world.topics.invoiceUpoReceived, late);
    await notifier.publish(world.topics.invoiceUpoReceived, late);
    await waitFor(() => ofInvoice(accepted, invoiceId).length > 0 && ofInvoice(upoAvailable, invoiceId).length > 0, { what: 'accepted and upo-available' });
    await settle();
    expect(ofInvoice(accepted, invoiceId).map((m) => notificationInvoiceAccepted.parse(m.envelope).payload.upo)).toEqual([{ status: 'pending' }]);
    const upo = ofInvoice(upoAvailable, invoiceId).map((m) => notificationInvoiceUpoAvailable.parse(m.envelope).payload);
    expect(upo).toHaveLength(1);
    expect(upo[0]).toMatchObject({ ksefNumber, upo: { status: 'available', xml: UPO_XML } });
  });

  it('a message that breaks its contract goes to the dead-letter topic and publishes nothing; later events still flow', async () => {
    const bad = randomUUID();
    const good = randomUUID();
    const dlt = await notifier.collect(`${world.topics.invoiceAccepted}.dlt`);
    await notifier.publish(world.topics.invoiceAccepted, internalEvent(invoiceAccepted.type, 'acme', bad, { ...acceptedPayload(bad), ksefNumber: 'short' }));
    await notifier.publish(world.topics.invoiceAccepted, internalEvent(invoiceAccepted.type, 'acme', good, acceptedPayload(good)));
    await waitFor(() => ofInvoice(accepted, good).length === 1, { what: 'the good event after the bad one' });
    await waitFor(() => dlt.messages.some((m) => m.envelope.aggregateId === bad), { what: 'bad event dead-lettered' });
    expect(ofInvoice(accepted, bad)).toHaveLength(0);
    expect(await rows(bad)).toHaveLength(0);
  });
});
