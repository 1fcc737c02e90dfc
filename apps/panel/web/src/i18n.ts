import { createContext, useContext } from 'react';

/** Polish first; English on a switch. State names come from the server (libs/invoice-domain's Polish labels). */
const pl = {
  title: 'ksef-bridge — panel operatora',
  login: 'Zaloguj', logout: 'Wyloguj', username: 'Użytkownik', password: 'Hasło', loginFailed: 'Logowanie nieudane',
  dashboard: 'Pulpit', invoices: 'Faktury', audit: 'Dziennik interwencji',
  countsPerState: 'Faktury według stanu', queueAge: 'Najstarsza faktura w kolejce', seconds: 's',
  recentProblems: 'Ostatnie odrzucenia i eskalacje', ksefAvailability: 'Dostępność KSeF', contexts: 'Konteksty (NIP)',
  breaker: { closed: 'dostępny', open: 'niedostępny (wyłącznik otwarty)', 'half-open': 'próba połączenia' } as Record<string, string>,
  waiting: 'czeka', escalatedCount: 'eskalowane', oldestWaiting: 'najstarsza czeka', headroom: 'zapas limitu wysyłek (minuta · godzina)',
  state: 'Stan', tenant: 'Najemca', context: 'Kontekst (NIP)', erpId: 'ID dokumentu ERP', ksefNumber: 'Numer KSeF', from: 'Od', to: 'Do',
  search: 'Szukaj w błędach', filter: 'Filtruj', all: 'wszystkie', updated: 'Zmieniona', lastError: 'Ostatni błąd', total: 'razem',
  prev: '‹ Poprzednie', next: 'Następne ›',
  history: 'Historia', attempts: 'Próby wysyłki do KSeF', validation: 'Co jest nie tak (dla księgowości)', upo: 'UPO', document: 'Dokument XML',
  traceId: 'Identyfikator śladu (trace id)', noProblems: 'Brak bieżących problemów (poprzednie są w historii).', where: 'Gdzie', line: 'wiersz',
  actions: 'Interwencje', reason: 'Powód (do dziennika)', retry: 'Ponów teraz', cancel: 'Anuluj', acknowledge: 'Potwierdź eskalację',
  resubmit: 'Wyślij poprawiony dokument', newErpId: 'Nowe ID dokumentu ERP', correctedXml: 'Poprawiony XML', done: 'Wykonano', acknowledged: 'Eskalacja potwierdzona przez',
  errorBody: 'Pełna odpowiedź KSeF', actor: 'Kto', when: 'Kiedy', outcome: 'Wynik', action: 'Akcja', none: 'brak', back: '← Lista',
  sendJob: 'Zadanie wysyłki', noSendJob: 'Faktura nie dotarła do wysyłki.',
  users: 'Użytkownicy', role: 'Rola', roles: { accountant: 'księgowa/księgowy', operator: 'operator', admin: 'administrator' } as Record<'accountant' | 'operator' | 'admin', string>,
  initialPassword: 'Hasło początkowe', createUser: 'Dodaj użytkownika', passwordPolicy: 'Hasło: od 10 do 200 znaków, bez nazwy użytkownika. Każda zmiana trafia do dziennika i kończy sesje użytkownika.',
  userState: 'Stan konta', sessions: 'Sesje', you: 'Ty', allTenants: 'wszyscy najemcy', enabled: 'aktywne', disabled: 'zablokowane od',
  userActions: 'Działania', changeRole: 'Zmień rolę', enable: 'Odblokuj', disable: 'Zablokuj', newPassword: 'Nowe hasło', resetPassword: 'Ustaw hasło',
};
const en: typeof pl = {
  title: 'ksef-bridge — operator panel',
  login: 'Log in', logout: 'Log out', username: 'User name', password: 'Password', loginFailed: 'Login failed',
  dashboard: 'Dashboard', invoices: 'Invoices', audit: 'Intervention log',
  countsPerState: 'Invoices per state', queueAge: 'Oldest queued invoice', seconds: 's',
  recentProblems: 'Recent rejections and escalations', ksefAvailability: 'KSeF availability', contexts: 'Contexts (NIP)',
  breaker: { closed: 'available', open: 'unavailable (breaker open)', 'half-open': 'probing' },
  waiting: 'waiting', escalatedCount: 'escalated', oldestWaiting: 'oldest waiting', headroom: 'send headroom (minute · hour)',
  state: 'State', tenant: 'Tenant', context: 'Context (NIP)', erpId: 'ERP document id', ksefNumber: 'KSeF number', from: 'From', to: 'To',
  search: 'Search in errors', filter: 'Filter', all: 'all', updated: 'Updated', lastError: 'Last error', total: 'total',
  prev: '‹ Previous', next: 'Next ›',
  history: 'History', attempts: 'Send attempts to KSeF', validation: 'What is wrong (for accounting)', upo: 'UPO', document: 'XML document',
  traceId: 'Trace id', noProblems: 'No current problems (earlier ones are in the history).', where: 'Where', line: 'line',
  actions: 'Interventions', reason: 'Reason (for the log)', retry: 'Retry now', cancel: 'Cancel', acknowledge: 'Acknowledge escalation',
  resubmit: 'Send a corrected document', newErpId: 'New ERP document id', correctedXml: 'Corrected XML', done: 'Done', acknowledged: 'Escalation acknowledged by',
  errorBody: 'Full KSeF answer', actor: 'Who', when: 'When', outcome: 'Outcome', action: 'Action', none: 'none', back: '← List',
  sendJob: 'Send job', noSendJob: 'The invoice never reached sending.',
  users: 'Users', role: 'Role', roles: { accountant: 'accountant', operator: 'operator', admin: 'admin' },
  initialPassword: 'Initial password', createUser: 'Add user', passwordPolicy: 'Password: 10 to 200 characters, not containing the user name. Every change is audited and ends the user\'s sessions.',
  userState: 'Account', sessions: 'Sessions', you: 'you', allTenants: 'every tenant', enabled: 'active', disabled: 'disabled since',
  userActions: 'Actions', changeRole: 'Change role', enable: 'Enable', disable: 'Disable', newPassword: 'New password', resetPassword: 'Set password',
};
export type Lang = 'pl' | 'en';
export const TEXTS = { pl, en };
export type Texts = typeof pl;
export const LangContext = createContext<{ lang: Lang; t: Texts }>({ lang: 'pl', t: pl });
export const useT = () => useContext(LangContext);
