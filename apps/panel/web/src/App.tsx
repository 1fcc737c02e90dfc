import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Me } from './api';
import { Dashboard } from './Dashboard';
import { LangContext, TEXTS, type Lang } from './i18n';
import { InvoiceDetail } from './InvoiceDetail';
import { InvoiceList } from './InvoiceList';
import { AuditLog } from './AuditLog';
import { Users } from './Users';

/** Hash routes: #/ dashboard, #/invoices?…, #/invoices/<id>, #/audit, #/users (admins). */
function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setHash(window.location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('panel-lang') === 'en' ? 'en' : 'pl'));
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const route = useHashRoute();
  const t = TEXTS[lang];

  useEffect(() => {
    api<Me>('/auth/me').then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    localStorage.setItem('panel-lang', lang);
    document.documentElement.lang = lang;
  }, [lang]);

  const logout = async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    setMe(null);
  };
  const [path, query] = route.split('?');
  const detail = /^\/invoices\/([0-9a-f-]{36})$/.exec(path);

  return (
    <LangContext.Provider value={{ lang, t }}>
      <header className="top">
        <strong>{t.title}</strong>
        {me && (
          <nav>
            <a href="#/">{t.dashboard}</a>
            <a href="#/invoices">{t.invoices}</a>
            <a href="#/audit">{t.audit}</a>
            {me.can.manageUsers && <a href="#/users" data-testid="nav-users">{t.users}</a>}
          </nav>
        )}
        <span className="spacer" />
        <button className="link" data-testid="lang-switch" onClick={() => setLang(lang === 'pl' ? 'en' : 'pl')}>{lang === 'pl' ? 'English' : 'Polski'}</button>
        {me && (
          <>
            <span className="who" data-testid="who">{me.username} ({me.role}{me.tenantId ? `, ${me.tenantId}` : ''})</span>
            <button className="link" onClick={logout}>{t.logout}</button>
          </>
        )}
      </header>
      <main>
        {me === undefined ? null : me === null ? (
          <Login onLogin={setMe} />
        ) : detail ? (
          <InvoiceDetail id={detail[1]} me={me} />
        ) : path === '/invoices' ? (
          <InvoiceList me={me} query={new URLSearchParams(query ?? '')} />
        ) : path === '/audit' ? (
          <AuditLog />
        ) : path === '/users' && me.can.manageUsers ? (
          <Users me={me} />
        ) : (
          <Dashboard me={me} />
        )}
      </main>
    </LangContext.Provider>
  );
}

function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const t = TEXTS[(localStorage.getItem('panel-lang') as Lang) || 'pl'];
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      onLogin(await api<Me>('/auth/login', { method: 'POST', body: { username, password } }));
    } catch (err) {
      setError(err instanceof ApiError ? `${t.loginFailed}: ${err.message}` : t.loginFailed);
    }
  };
  return (
    <form className="card login" onSubmit={submit}>
      <h1>{t.login}</h1>
      <label>{t.username}<input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} /></label>
      <label>{t.password}<input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit">{t.login}</button>
    </form>
  );
}
