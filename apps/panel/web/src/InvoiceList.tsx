import { useEffect, useState, type FormEvent } from 'react';
import { api, type ListItem, type Me } from './api';
import { useT } from './i18n';
import { StateBadge, when } from './StateBadge';

const FIELDS = ['state', 'tenant', 'contextNip', 'erpDocumentId', 'ksefNumber', 'from', 'to', 'q'] as const;
const PAGE = 50;

/** Filters live in the URL (#/invoices?state=…), so a filtered list can be bookmarked and shared. */
export function InvoiceList({ me, query }: { me: Me; query: URLSearchParams }) {
  const { t } = useT();
  const [data, setData] = useState<{ items: ListItem[]; total: number }>();
  const [error, setError] = useState('');
  const [form, setForm] = useState<Record<string, string>>(() => Object.fromEntries(FIELDS.map((f) => [f, query.get(f) ?? ''])));
  const offset = Number(query.get('offset') ?? 0);
  const key = query.toString();

  useEffect(() => {
    setError('');
    const q = new URLSearchParams(key);
    q.set('limit', String(PAGE));
    api<{ items: ListItem[]; total: number }>(`/invoices?${q}`).then(setData, (e: Error) => setError(e.message));
  }, [key]);

  const go = (next: Record<string, string>, nextOffset = 0) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) q.set(k, v);
    if (nextOffset) q.set('offset', String(nextOffset));
    window.location.hash = `#/invoices?${q}`;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(form);
  };
  const input = (name: (typeof FIELDS)[number], label: string, type = 'text') => (
    <label>{label}<input name={name} type={type} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} /></label>
  );

  return (
    <section className="card" data-testid="invoice-list">
      <h2>{t.invoices}</h2>
      <form className="filters" onSubmit={submit}>
        <label>{t.state}
          <select name="state" value={form.state} onChange={(e) => setForm({ ...form, state: e.target.value })}>
            <option value="">{t.all}</option>
            {me.states.map((s) => <option key={s.state} value={s.state}>{s.labelPl} ({s.state})</option>)}
          </select>
        </label>
        {me.can.allTenants && input('tenant', t.tenant)}
        {input('contextNip', t.context)}
        {input('erpDocumentId', t.erpId)}
        {input('ksefNumber', t.ksefNumber)}
        {input('from', t.from, 'date')}
        {input('to', t.to, 'date')}
        {input('q', t.search)}
        <button type="submit">{t.filter}</button>
      </form>
      {error && <p className="error">{error}</p>}
      {data && (
        <>
          <table className="list">
            <thead><tr><th>{t.erpId}</th><th>{t.tenant}</th><th>{t.state}</th><th>{t.context}</th><th>{t.ksefNumber}</th><th>{t.lastError}</th><th>{t.updated}</th></tr></thead>
            <tbody>
              {data.items.map((i) => (
                <tr key={i.id} data-testid="invoice-row">
                  <td><a href={`#/invoices/${i.id}`}>{i.erpDocumentId}</a></td>
                  <td>{i.tenantId}</td>
                  <td><StateBadge state={i.state} me={me} /></td>
                  <td>{i.contextNip ?? ''}</td>
                  <td><code>{i.ksefNumber ?? ''}</code></td>
                  <td><code>{i.lastErrorCode ?? ''}</code></td>
                  <td>{when(i.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="pager">
            {data.total} {t.total}{' '}
            <button disabled={offset === 0} onClick={() => go(form, Math.max(0, offset - PAGE))}>{t.prev}</button>{' '}
            <button disabled={offset + PAGE >= data.total} onClick={() => go(form, offset + PAGE)}>{t.next}</button>
          </p>
        </>
      )}
    </section>
  );
}
