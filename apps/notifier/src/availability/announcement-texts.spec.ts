import { KSEF_ANNOUNCED_STATUSES, KSEF_AVAILABILITY_STATES, notificationKsefAnnouncementChanged } from '@ksef-bridge/contracts';
import { announcedMode, announcementMessages, announcementParagraph } from './announcement-texts';
import { announcementNotification } from './availability-notification';

const failure = { status: 'FAILURE' as const, messageId: '17', eventId: 4, title: 'Awaria KSeF', start: '2026-11-25T13:00:00Z', end: '2026-11-25T17:00:00Z' };
const maintenance = { status: 'MAINTENANCE' as const, messageId: '9', eventId: 2, title: 'Prace serwisowe', start: '2026-11-28T20:00:00Z', end: '2026-11-28T23:00:00Z' };

describe('announcement texts', () => {
  it('maps the announced status to the legal mode', () => {
    expect(KSEF_ANNOUNCED_STATUSES.map(announcedMode)).toEqual(['NONE', 'OFFLINE', 'EMERGENCY', 'TOTAL_FAILURE', 'UNKNOWN']);
  });

  it('a failure: status, title, start, planned end and the 7-business-day rule (Polish first, English too)', () => {
    const { pl, en } = announcementMessages({ announced: failure, previous: { status: 'AVAILABLE' }, state: 'AVAILABLE', since: '2026-11-25T13:01:00Z' });
    expect(pl.subject).toBe('Ministerstwo Finansów ogłosiło awarię KSeF od 25 listopada 2026 14:00 (czasu polskiego) (tryb awaryjny)');
    expect(pl.body).toContain('Ministerstwo Finansów ogłosiło awarię KSeF „Awaria KSeF” od 25 listopada 2026 14:00 (czasu polskiego), planowo do 25 listopada 2026 18:00 (czasu polskiego).');
    expect(pl.body).toContain('w ciągu 7 dni roboczych od zakończenia awarii');
    expect(pl.body).toContain('KSeF przyjmuje od nas faktury');
    expect(en.subject).toBe('Ministry of Finance announces a KSeF failure from 25 November 2026 at 14:00 (Warsaw time) (emergency mode)');
    expect(en.body).toContain('within 7 business days after the failure ends');
  });

  it('maintenance is the offline mode (next business day after it ends); a total failure is never sent later', () => {
    expect(announcementParagraph('pl', maintenance)).toContain('Obowiązuje tryb offline: fakturę wystawioną poza KSeF w tym czasie przesyła się do KSeF najpóźniej następnego dnia roboczego po zakończeniu niedostępności.');
    expect(announcementParagraph('en', maintenance)).toContain('KSeF unavailability (planned maintenance) "Prace serwisowe" from 28 November 2026 at 21:00 (Warsaw time)');
    expect(announcementParagraph('pl', { status: 'TOTAL_FAILURE' })).toBe('Ministerstwo Finansów ogłosiło awarię całkowitą KSeF. W czasie awarii całkowitej faktury wystawia się poza KSeF i nie przesyła się ich do KSeF później.');
  });

  it('the end of an announced failure names it; an unreadable feed says the mode is unknown', () => {
    const ended = announcementMessages({ announced: { status: 'AVAILABLE' }, previous: failure, state: 'AVAILABLE', since: '2026-11-25T16:30:00Z' });
    expect(ended.pl.subject).toBe('Koniec ogłoszonej przez Ministerstwo Finansów przerwy w KSeF (25 listopada 2026 17:30 (czasu polskiego))');
    expect(ended.pl.body).toContain('Ministerstwo Finansów ogłosiło zakończenie: awarię KSeF „Awaria KSeF”');
    expect(ended.en.body).toContain('The Ministry of Finance announced the end of a KSeF failure "Awaria KSeF"');
    const unknown = announcementMessages({ announced: { status: 'UNKNOWN' }, previous: failure, state: 'UNAVAILABLE', since: '2026-11-25T16:30:00Z' });
    expect(unknown.pl.body).toContain('Komunikaty Ministerstwa Finansów o dostępności KSeF są chwilowo dla nas nieczytelne.');
    expect(unknown.en.body).toContain('KSeF is not answering at the moment');
  });

  it.each(KSEF_ANNOUNCED_STATUSES.flatMap((status) => KSEF_AVAILABILITY_STATES.map((state) => [status, state] as const)))('%s announced while %s: a public event valid against its contract', (status, state) => {
    const announced = status === 'FAILURE' ? failure : status === 'MAINTENANCE' ? maintenance : { status };
    const payload = announcementNotification({ changeId: '0b6f7c1e-3a55-4d8e-9f21-7c4e2a9b8d10', endpoint: 'https://api-test.ksef.mf.gov.pl/v2', state, since: '2026-11-25T13:05:00.000Z', previous: null, announced, detail: 'Latarnia' });
    expect(payload.mode).toBe(announcedMode(status));
    for (const text of [payload.customerMessages.pl, payload.customerMessages.en]) expect(`${text.subject}${text.body}`).not.toMatch(/undefined|\{\{/);
    const envelope = { id: '9d3f6a2b-1c4e-4b7a-8e5f-2a6c9d0e1f23', type: notificationKsefAnnouncementChanged.type, version: 1, aggregateId: payload.endpoint, tenant: '*', occurredAt: '2026-11-25T13:06:00.412Z', payload };
    expect(() => notificationKsefAnnouncementChanged.parse(envelope)).not.toThrow();
  });
});
