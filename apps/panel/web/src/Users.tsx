import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Me } from './api';
import { useT } from './i18n';
import { when } from './StateBadge';

type Role = Me['role'];
const ROLES: Role[] = ['accountant', 'operator', 'admin'];

interface PanelUserRow { username: string; role: Role; tenantId: string | null; createdAt: string; disabledAt: string | null; activeSessions: number }

/** Admin-only (the BFF refuses everyone else with 403): the panel's users, created and changed here, all audited. */
export function Users({ me }: { me: Me }) {
  const { t } = useT();
  const [rows, setRows] = useState<PanelUserRow[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [form, setForm] = useState({ username: '', role: 'accountant' as Role, tenantId: '', password: '' });
  const load = useCallback(() => api<PanelUserRow[]>('/users').then(setRows, (e: Error) => setMessage({ ok: false, text: e.message })), []);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (call: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await call();
      setMessage({ ok: true, text: t.done });
      await load();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) });
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('/users', { method: 'POST', body: { username: form.username, role: form.role, tenantId: form.role === 'admin' ? null : form.tenantId || null, password: form.password } });
      setForm({ username: '', role: 'accountant', tenantId: '', password: '' });
    });
  };

  return (
    <section className="card" data-testid="users">
      <h2>{t.users}</h2>
      <form className="filters" onSubmit={create} data-testid="user-create">
        <label>{t.username}<input name="new-username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} /></label>
        <label>{t.role}
          <select name="new-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
          </select>
        </label>
        {form.role !== 'admin' && <label>{t.tenant}<input name="new-tenant" value={form.tenantId} onChange={(e) => setForm({ ...form, tenantId: e.target.value })} /></label>}
        <label>{t.initialPassword}<input name="new-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
        <button type="submit">{t.createUser}</button>
      </form>
      <p className="muted">{t.passwordPolicy}</p>
      {message && <p className={message.ok ? 'message' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      <table>
        <thead><tr><th>{t.username}</th><th>{t.role}</th><th>{t.tenant}</th><th>{t.userState}</th><th>{t.sessions}</th><th>{t.userActions}</th></tr></thead>
        <tbody>
          {rows.map((u) => <UserRow key={u.username} user={u} self={u.username === me.username} run={run} />)}
        </tbody>
      </table>
    </section>
  );
}

function UserRow({ user, self, run }: { user: PanelUserRow; self: boolean; run: (call: () => Promise<unknown>) => Promise<void> }) {
  const { t } = useT();
  const [role, setRole] = useState<Role>(user.role);
  const [tenant, setTenant] = useState(user.tenantId ?? '');
  const [password, setPassword] = useState('');
  const path = `/users/${encodeURIComponent(user.username)}`;
  return (
    <tr data-testid={`user-${user.username}`}>
      <td>{user.username}{self ? ` (${t.you})` : ''}</td>
      <td>
        <select aria-label={`${t.role} ${user.username}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
        </select>
      </td>
      <td>{role === 'admin' ? t.allTenants : <input aria-label={`${t.tenant} ${user.username}`} value={tenant} size={10} onChange={(e) => setTenant(e.target.value)} />}</td>
      <td>{user.disabledAt ? `${t.disabled} ${when(user.disabledAt)}` : t.enabled}</td>
      <td className="num">{user.activeSessions}</td>
      <td className="buttons">
        <button onClick={() => run(() => api(`${path}/role`, { method: 'POST', body: { role, tenantId: role === 'admin' ? null : tenant || null } }))}>{t.changeRole}</button>
        {user.disabledAt ? (
          <button onClick={() => run(() => api(`${path}/enable`, { method: 'POST', body: {} }))}>{t.enable}</button>
        ) : (
          <button onClick={() => run(() => api(`${path}/disable`, { method: 'POST', body: {} }))}>{t.disable}</button>
        )}
        <input aria-label={`${t.newPassword} ${user.username}`} type="password" autoComplete="new-password" placeholder={t.newPassword} value={password} size={12} onChange={(e) => setPassword(e.target.value)} />
        <button onClick={() => run(async () => { await api(`${path}/password`, { method: 'POST', body: { password } }); setPassword(''); })}>{t.resetPassword}</button>
      </td>
    </tr>
  );
}
