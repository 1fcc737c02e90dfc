import { KSEF_AVAILABILITY_STATES } from '@ksef-bridge/contracts';
import { CUSTOMER_TEMPLATES, customerMessages, renderTemplate } from './customer-templates';

describe('customer templates', () => {
  it.each(KSEF_AVAILABILITY_STATES)('%s renders in Polish and English with every placeholder filled', (state) => {
    const messages = customerMessages(state, '2026-11-25T13:05:00Z');
    for (const lang of ['pl', 'en'] as const) {
      const { subject, body } = messages[lang];
      expect(`${subject}\n${body}`).not.toMatch(/\{\{|\}\}/);
      // 13:05 UTC is 14:05 in Warsaw in November (CET).
      expect(subject).toContain('14:05');
      expect(body).toContain('14:05');
    }
  });

  it('says what an outage means for invoices and lists the legal offline modes', () => {
    const { pl, en } = customerMessages('UNAVAILABLE', '2026-11-25T13:05:00Z');
    expect(pl.subject).toBe('Niedostępność KSeF od 25 listopada 2026 14:05 (czasu polskiego): faktury wystawiamy bez przerwy');
    expect(pl.body).toContain('KSeF nie odpowiada');
    expect(pl.body).toContain('offline24');
    expect(pl.body).toContain('w ciągu 7 dni roboczych od zakończenia awarii');
    expect(pl.body).toContain('awaria całkowita');
    expect(en.body).toContain('next business day after the unavailability ends');
    expect(en.subject).toBe('KSeF unavailable since 25 November 2026 at 14:05 (Warsaw time): invoicing continues');
  });

  it('the end of an outage has its own text, without the offline rules', () => {
    const { pl } = customerMessages('AVAILABLE', '2026-07-01T08:00:00Z');
    expect(pl.subject).toBe('KSeF działa ponownie od 1 lipca 2026 10:00 (czasu polskiego)');
    expect(pl.body).not.toContain('offline24');
  });

  it('refuses to render a placeholder without a value', () => {
    expect(() => renderTemplate('od {{start}} ({{kind}})', { start: 'x' })).toThrow('{{kind}}');
  });

  it('uses only the placeholders the renderer fills', () => {
    const used = new Set(Object.values(CUSTOMER_TEMPLATES).flatMap((byState) => Object.values(byState)).flatMap((t) => [...`${t.subject}${t.body}`.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1])));
    expect([...used].sort()).toEqual(['announcement', 'kind', 'offlineOptions', 'start']);
  });

  it('a transition names what the Ministry announced and the mode that follows, in both languages', () => {
    const failure = { status: 'FAILURE' as const, messageId: '17', eventId: 4, title: 'Awaria KSeF', start: '2026-11-25T13:00:00Z' };
    const { pl, en } = customerMessages('UNAVAILABLE', '2026-11-25T13:05:00Z', failure);
    expect(pl.body).toContain('Ministerstwo Finansów ogłosiło awarię KSeF „Awaria KSeF” od 25 listopada 2026 14:00 (czasu polskiego). Obowiązuje tryb awaryjny');
    expect(pl.body).toContain('w ciągu 7 dni roboczych od zakończenia awarii');
    expect(en.body).toContain('The Ministry of Finance announced a KSeF failure "Awaria KSeF" from 25 November 2026 at 14:00 (Warsaw time). Emergency mode applies');
    // Our own outage with nothing announced: the law leaves offline24, and the text says so.
    expect(customerMessages('UNAVAILABLE', '2026-11-25T13:05:00Z', { status: 'AVAILABLE' }).pl.body).toContain('Ministerstwo Finansów nie ogłasza obecnie awarii ani niedostępności KSeF. Faktura wystawiona poza KSeF podlega trybowi offline24');
    // KSeF works and nothing is announced: the same text as without the feed.
    expect(customerMessages('AVAILABLE', '2026-07-01T08:00:00Z', { status: 'AVAILABLE' })).toEqual(customerMessages('AVAILABLE', '2026-07-01T08:00:00Z'));
    expect(customerMessages('UNAVAILABLE', '2026-11-25T13:05:00Z').pl.body).not.toContain('Ministerstwo Finansów ogłosiło');
  });
});
