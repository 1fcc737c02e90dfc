import type { KsefAnnounced, KsefAnnouncedMode, KsefAvailabilityState } from '@ksef-bridge/contracts';
import type { CustomerMessage, Language } from './customer-templates';

/**
 * What KSeF's Latarnia announcement (API.md §11) means legally, in the texts tenants send their customers. The
 * Ministry's announcement, not our probe, decides the offline mode (ustawa o VAT): unavailability / maintenance
 * announced → tryb offline (next business day after it ends), failure announced → tryb awaryjny (7 business days after
 * it ends), total failure (mass media) → invoices outside KSeF, not sent later; nothing announced → only offline24.
 */
export function announcedMode(status: KsefAnnounced['status']): KsefAnnouncedMode {
  switch (status) {
    case 'AVAILABLE':
      return 'NONE';
    case 'MAINTENANCE':
      return 'OFFLINE';
    case 'FAILURE':
      return 'EMERGENCY';
    case 'TOTAL_FAILURE':
      return 'TOTAL_FAILURE';
    case 'UNKNOWN':
      return 'UNKNOWN';
  }
}

/** What the mode means for invoices (the public event's `meaning`, English). */
export const ANNOUNCED_MEANING: Record<KsefAnnouncedMode, string> = {
  OFFLINE: 'The Ministry of Finance announced KSeF unavailability (offline mode): an invoice issued outside KSeF during it must reach KSeF by the next business day after the unavailability ends.',
  EMERGENCY: 'The Ministry of Finance announced a KSeF failure (emergency mode): an invoice issued outside KSeF during it must reach KSeF within 7 business days after the failure ends.',
  TOTAL_FAILURE: 'The Ministry of Finance announced a total KSeF failure: invoices issued during it are issued outside KSeF and are not sent to KSeF later.',
  NONE: 'No KSeF failure or unavailability is announced: an invoice issued outside KSeF follows offline24 (it must reach KSeF by the next business day after its issue date).',
  UNKNOWN: "The Ministry's announcements (Latarnia) cannot be read right now: the bridge cannot tell which offline mode applies; check the Ministry of Finance's announcements.",
};

const FORMAT: Record<Language, Intl.DateTimeFormat> = {
  pl: new Intl.DateTimeFormat('pl-PL', { timeZone: 'Europe/Warsaw', dateStyle: 'long', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Warsaw', dateStyle: 'long', timeStyle: 'short' }),
};
const ZONE: Record<Language, string> = { pl: ' (czasu polskiego)', en: ' (Warsaw time)' };
const at = (lang: Language, iso: string) => `${FORMAT[lang].format(new Date(iso))}${ZONE[lang]}`;

/** The announced event in one phrase: kind, title, start and (planned) end. */
function eventPhrase(lang: Language, a: KsefAnnounced): string {
  const kind = {
    pl: { MAINTENANCE: 'niedostępność KSeF (prace planowe)', FAILURE: 'awarię KSeF', TOTAL_FAILURE: 'awarię całkowitą KSeF' },
    en: { MAINTENANCE: 'KSeF unavailability (planned maintenance)', FAILURE: 'a KSeF failure', TOTAL_FAILURE: 'a total KSeF failure' },
  }[lang][a.status as 'MAINTENANCE' | 'FAILURE' | 'TOTAL_FAILURE'];
  const title = a.title ? (lang === 'pl' ? ` „${a.title}”` : ` "${a.title}"`) : '';
  const start = a.start ? (lang === 'pl' ? ` od ${at(lang, a.start)}` : ` from ${at(lang, a.start)}`) : '';
  const end = a.end ? (lang === 'pl' ? `, planowo do ${at(lang, a.end)}` : `, planned until ${at(lang, a.end)}`) : '';
  return `${kind}${title}${start}${end}`;
}

const RULE: Record<Language, Record<KsefAnnouncedMode, string>> = {
  pl: {
    OFFLINE: 'Obowiązuje tryb offline: fakturę wystawioną poza KSeF w tym czasie przesyła się do KSeF najpóźniej następnego dnia roboczego po zakończeniu niedostępności.',
    EMERGENCY: 'Obowiązuje tryb awaryjny: fakturę wystawioną poza KSeF w czasie awarii przesyła się do KSeF w ciągu 7 dni roboczych od zakończenia awarii.',
    TOTAL_FAILURE: 'W czasie awarii całkowitej faktury wystawia się poza KSeF i nie przesyła się ich do KSeF później.',
    NONE: 'Faktura wystawiona poza KSeF podlega trybowi offline24: przesyła się ją do KSeF najpóźniej następnego dnia roboczego po dniu jej wystawienia.',
    UNKNOWN: 'Który tryb wystawiania faktur poza KSeF obowiązuje, zależy od komunikatów Ministerstwa Finansów; prosimy o sprawdzenie ich na stronach Ministerstwa.',
  },
  en: {
    OFFLINE: 'Offline mode applies: an invoice issued outside KSeF during this time is sent to KSeF by the next business day after the unavailability ends.',
    EMERGENCY: 'Emergency mode applies: an invoice issued outside KSeF during the failure is sent to KSeF within 7 business days after the failure ends.',
    TOTAL_FAILURE: 'During a total failure invoices are issued outside KSeF and are not sent to KSeF later.',
    NONE: 'An invoice issued outside KSeF follows offline24: it is sent to KSeF by the next business day after its issue date.',
    UNKNOWN: "Which mode of issuing invoices outside KSeF applies depends on the Ministry of Finance's announcements; please check them on the Ministry's pages.",
  },
};

/**
 * The announcement in one paragraph: what the Ministry announced (status, title, start, end) and the legal mode that
 * follows. `previous` lets an AVAILABLE status say which announced event ended.
 */
export function announcementParagraph(lang: Language, a: KsefAnnounced, previous?: KsefAnnounced | null): string {
  const mode = announcedMode(a.status);
  if (mode === 'UNKNOWN') {
    const head = lang === 'pl' ? 'Komunikaty Ministerstwa Finansów o dostępności KSeF są chwilowo dla nas nieczytelne.' : "We cannot read the Ministry of Finance's announcements about KSeF right now.";
    return `${head} ${RULE[lang].UNKNOWN}`;
  }
  if (mode === 'NONE') {
    const ended = previous && announcedMode(previous.status) !== 'NONE' && announcedMode(previous.status) !== 'UNKNOWN';
    const head = ended
      ? lang === 'pl' ? `Ministerstwo Finansów ogłosiło zakończenie: ${eventPhrase(lang, previous)}. Dla faktur wystawionych w tym czasie terminy liczy się od tego zakończenia. Obecnie Ministerstwo nie ogłasza awarii ani niedostępności KSeF.` : `The Ministry of Finance announced the end of ${eventPhrase(lang, previous)}. For invoices issued during it, the deadlines count from that end. No failure or unavailability of KSeF is announced now.`
      : lang === 'pl' ? 'Ministerstwo Finansów nie ogłasza obecnie awarii ani niedostępności KSeF.' : 'The Ministry of Finance announces no failure or unavailability of KSeF at present.';
    return `${head} ${RULE[lang].NONE}`;
  }
  const head = lang === 'pl' ? `Ministerstwo Finansów ogłosiło ${eventPhrase(lang, a)}.` : `The Ministry of Finance announced ${eventPhrase(lang, a)}.`;
  return `${head} ${RULE[lang][mode]}`;
}

const OBSERVED: Record<Language, Record<KsefAvailabilityState, string>> = {
  pl: {
    AVAILABLE: 'KSeF przyjmuje od nas faktury; wystawiamy je i przesyłamy normalnie.',
    DEGRADED: 'Obserwujemy zakłócenia w działaniu KSeF; faktury wystawiamy i przesyłamy, numery KSeF mogą pojawiać się z opóźnieniem.',
    UNAVAILABLE: 'KSeF obecnie nie odpowiada; faktury wystawiamy bez przerwy i prześlemy je do KSeF automatycznie, gdy system znów zacznie działać.',
  },
  en: {
    AVAILABLE: 'KSeF accepts our invoices; we issue and send them as usual.',
    DEGRADED: 'We see disruptions in KSeF; we issue and send invoices, KSeF numbers may arrive late.',
    UNAVAILABLE: 'KSeF is not answering at the moment; we keep issuing invoices and will send them to KSeF automatically once it works again.',
  },
};

function subject(lang: Language, a: KsefAnnounced, previous: KsefAnnounced | null, since: string): string {
  const when = at(lang, a.start ?? since);
  const pl = lang === 'pl';
  switch (announcedMode(a.status)) {
    case 'OFFLINE':
      return pl ? `Ministerstwo Finansów ogłosiło niedostępność KSeF od ${when} (tryb offline)` : `Ministry of Finance announces KSeF unavailability from ${when} (offline mode)`;
    case 'EMERGENCY':
      return pl ? `Ministerstwo Finansów ogłosiło awarię KSeF od ${when} (tryb awaryjny)` : `Ministry of Finance announces a KSeF failure from ${when} (emergency mode)`;
    case 'TOTAL_FAILURE':
      return pl ? `Ministerstwo Finansów ogłosiło awarię całkowitą KSeF od ${when}` : `Ministry of Finance announces a total KSeF failure from ${when}`;
    case 'UNKNOWN':
      return pl ? `Komunikaty Ministerstwa Finansów o KSeF chwilowo nieczytelne (od ${at(lang, since)})` : `Ministry of Finance announcements about KSeF unreadable (since ${at(lang, since)})`;
    case 'NONE':
      return previous && announcedMode(previous.status) !== 'NONE' && announcedMode(previous.status) !== 'UNKNOWN'
        ? pl ? `Koniec ogłoszonej przez Ministerstwo Finansów przerwy w KSeF (${at(lang, since)})` : `End of the KSeF disruption announced by the Ministry of Finance (${at(lang, since)})`
        : pl ? `Ministerstwo Finansów nie ogłasza awarii KSeF (${at(lang, since)})` : `No KSeF failure announced by the Ministry of Finance (${at(lang, since)})`;
  }
}

/** The customer texts for an announcement-only change (the bridge's own observation `state` unchanged). */
export function announcementMessages(input: { announced: KsefAnnounced; previous: KsefAnnounced | null; state: KsefAvailabilityState; since: string }): Record<Language, CustomerMessage> {
  const render = (lang: Language): CustomerMessage => ({
    subject: subject(lang, input.announced, input.previous, input.since),
    body: `${lang === 'pl' ? 'Szanowni Państwo,' : 'Dear customer,'}\n\n${announcementParagraph(lang, input.announced, input.previous)}\n\n${OBSERVED[lang][input.state]}`,
  });
  return { pl: render('pl'), en: render('en') };
}
