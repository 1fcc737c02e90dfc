import type { KsefAnnounced, KsefAvailabilityState } from '@ksef-bridge/contracts';
import { announcedMode, announcementParagraph } from './announcement-texts';

/**
 * Texts tenants can send (or adapt for) THEIR customers when KSeF's availability changes, Polish and English.
 * Placeholders: `{{start}}` (when the state began, Warsaw time), `{{kind}}` (what kind of disruption), `{{offlineOptions}}`
 * (the legal offline modes, API.md §11), `{{announcement}}` (what the Ministry announces on Latarnia at this
 * transition and the mode that follows, as its own paragraph; empty when the sender does not read the feed, or when
 * KSeF works and nothing is announced). The Ministry's announcement, not our probe, decides which mode applies.
 */
export type Language = 'pl' | 'en';

export interface CustomerMessage {
  subject: string;
  body: string;
}

const OFFLINE_OPTIONS: Record<Language, string> = {
  pl: [
    'Tryby wystawiania faktur poza KSeF według ustawy o VAT:',
    '- offline24: faktura przesłana do KSeF najpóźniej następnego dnia roboczego po dniu jej wystawienia;',
    '- niedostępność KSeF ogłoszona przez Ministerstwo Finansów (tryb offline): najpóźniej następnego dnia roboczego po zakończeniu niedostępności;',
    '- awaria KSeF ogłoszona przez Ministerstwo Finansów (tryb awaryjny): w ciągu 7 dni roboczych od zakończenia awarii;',
    '- awaria całkowita ogłoszona w środkach masowego przekazu: faktury wystawia się poza KSeF i nie przesyła się ich później.',
    'Faktura wystawiona w trybie offline ma kod QR z podpisem OFFLINE i jest ważna od chwili jej otrzymania; numer KSeF otrzyma po przesłaniu.',
  ].join('\n'),
  en: [
    'Issuing invoices outside KSeF under the Polish VAT Act:',
    '- offline24: the invoice is sent to KSeF by the next business day after its issue date;',
    '- KSeF unavailability announced by the Ministry of Finance (offline mode): by the next business day after the unavailability ends;',
    '- KSeF failure announced by the Ministry of Finance (emergency mode): within 7 business days after the failure ends;',
    '- total failure announced in the mass media: invoices are issued outside KSeF and not sent to it later.',
    'An invoice issued offline carries a QR code captioned OFFLINE and is valid when received; it gets its KSeF number once sent.',
  ].join('\n'),
};

const KIND: Record<Language, Record<KsefAvailabilityState, string>> = {
  pl: { UNAVAILABLE: 'KSeF nie odpowiada', DEGRADED: 'zakłócenia w działaniu KSeF', AVAILABLE: 'KSeF działa' },
  en: { UNAVAILABLE: 'KSeF is not answering', DEGRADED: 'KSeF is disrupted', AVAILABLE: 'KSeF is working' },
};

/** The templates, by language and by the state entered. Kept here (and rendered in every event) so tenants need no copy. */
export const CUSTOMER_TEMPLATES: Record<Language, Record<KsefAvailabilityState, CustomerMessage>> = {
  pl: {
    UNAVAILABLE: {
      subject: 'Niedostępność KSeF od {{start}}: faktury wystawiamy bez przerwy',
      body:
        'Szanowni Państwo,\n\nod {{start}} Krajowy System e-Faktur jest niedostępny ({{kind}}). Wystawiamy faktury bez przerwy; ' +
        'każdą fakturę z tego okresu prześlemy do KSeF automatycznie, gdy system znów zacznie działać, i wtedy otrzyma ona numer KSeF. ' +
        'Fakturę otrzymaną od nas poza KSeF (e-mailem lub na wydruku z kodem QR) prosimy traktować jako ważną.{{announcement}}\n\n{{offlineOptions}}\n\n' +
        'Poinformujemy Państwa, gdy KSeF znów będzie dostępny.',
    },
    DEGRADED: {
      subject: 'Zakłócenia w KSeF od {{start}}',
      body:
        'Szanowni Państwo,\n\nod {{start}} obserwujemy zakłócenia w działaniu Krajowego Systemu e-Faktur ({{kind}}). Faktury wystawiamy ' +
        'i przesyłamy normalnie; numery KSeF mogą pojawiać się z opóźnieniem. Nie są potrzebne żadne działania z Państwa strony.{{announcement}}\n\n{{offlineOptions}}',
    },
    AVAILABLE: {
      subject: 'KSeF działa ponownie od {{start}}',
      body:
        'Szanowni Państwo,\n\nod {{start}} Krajowy System e-Faktur znów przyjmuje faktury ({{kind}}). Faktury wystawione w czasie ' +
        'niedostępności przesyłamy teraz do KSeF, od najstarszych; ich numery KSeF będą widoczne wkrótce. Nie są potrzebne żadne działania z Państwa strony.{{announcement}}',
    },
  },
  en: {
    UNAVAILABLE: {
      subject: 'KSeF unavailable since {{start}}: invoicing continues',
      body:
        'Dear customer,\n\nsince {{start}} the National e-Invoicing System (KSeF) has been unavailable ({{kind}}). We keep issuing invoices; ' +
        'every invoice from this period will be sent to KSeF automatically once it works again, and will then get its KSeF number. ' +
        'An invoice you receive from us outside KSeF (by e-mail or on paper with a QR code) is valid.{{announcement}}\n\n{{offlineOptions}}\n\n' +
        'We will let you know when KSeF is available again.',
    },
    DEGRADED: {
      subject: 'KSeF disruption since {{start}}',
      body:
        'Dear customer,\n\nsince {{start}} we have seen disruptions in the National e-Invoicing System (KSeF) ({{kind}}). We issue and send ' +
        'invoices as usual; KSeF numbers may arrive late. No action is needed on your side.{{announcement}}\n\n{{offlineOptions}}',
    },
    AVAILABLE: {
      subject: 'KSeF working again since {{start}}',
      body:
        'Dear customer,\n\nsince {{start}} the National e-Invoicing System (KSeF) accepts invoices again ({{kind}}). Invoices issued during ' +
        'the outage are being sent to KSeF now, oldest first; their KSeF numbers will follow shortly. No action is needed on your side.{{announcement}}',
    },
  },
};

/** What the new state means for invoices sent through the bridge (the public event's `meaning`). */
export const MEANING: Record<KsefAvailabilityState, string> = {
  UNAVAILABLE: 'KSeF does not answer: invoices are accepted and queued by the bridge and sent automatically, oldest first, when KSeF is back; no KSeF numbers until then.',
  DEGRADED: 'KSeF answers intermittently: invoices are still sent, with retries; KSeF numbers may be late.',
  AVAILABLE: 'KSeF answers: queued invoices are being sent (in batch sessions when many), oldest first.',
};

const START_FORMAT: Record<Language, Intl.DateTimeFormat> = {
  pl: new Intl.DateTimeFormat('pl-PL', { timeZone: 'Europe/Warsaw', dateStyle: 'long', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Warsaw', dateStyle: 'long', timeStyle: 'short' }),
};

/** Replaces every `{{name}}`; a placeholder without a value is an error (a half-rendered text must never go out). */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    return value;
  });
}

/**
 * The customer texts for entering `state` at `since` (ISO date-time), with `announced` (what Latarnia announces at
 * this transition, when the sender reads it) as a paragraph of its own. "KSeF works, nothing announced" says nothing
 * new and adds no paragraph.
 */
export function customerMessages(state: KsefAvailabilityState, since: string, announced?: KsefAnnounced): Record<Language, CustomerMessage> {
  const mention = announced !== undefined && !(state === 'AVAILABLE' && announcedMode(announced.status) === 'NONE');
  const render = (lang: Language): CustomerMessage => {
    const zone = lang === 'pl' ? ' (czasu polskiego)' : ' (Warsaw time)';
    const announcement = mention && announced ? `\n\n${announcementParagraph(lang, announced)}` : '';
    const values = { start: `${START_FORMAT[lang].format(new Date(since))}${zone}`, kind: KIND[lang][state], offlineOptions: OFFLINE_OPTIONS[lang], announcement };
    const t = CUSTOMER_TEMPLATES[lang][state];
    return { subject: renderTemplate(t.subject, values), body: renderTemplate(t.body, values) };
  };
  return { pl: render('pl'), en: render('en') };
}
