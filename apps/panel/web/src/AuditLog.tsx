import { useEffect, useState } from 'react';
import { api } from './api';
import { useT } from './i18n';
import { when } from './StateBadge';

interface Entry { id: string; at: string; username: string; role: string; action: string; invoiceId: string | null; tenantId: string | null; reason: string; outcome: string; details?: { target?: string } | null }

export function AuditLog() {
  const { t } = useT();
  const [rows, setRows] = useState<Entry[]>([]);
  useEffect(() => {
    api<Entry[]>('/audit').then(setRows, () => setRows([]));
  }, []);
  return (
    <section className="card">
      <h2>{t.audit}</h2>
      <AuditTable rows={rows} />
    </section>
  );
}

export function AuditTable({ rows }: { rows: Array<Omit<Entry, 'invoiceId' | 'tenantId'> & { invoiceId?: string | null }> }) {
  const { t } = useT();
  return (
    <table data-testid="audit">
      <thead><tr><th>{t.when}</th><th>{t.actor}</th><th>{t.action}</th><th>{t.reason}</th><th>{t.outcome}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>{when(r.at)}</td>
            <td>{r.username} ({r.role})</td>
            <td>{r.invoiceId ? <a href={`#/invoices/${r.invoiceId}`}>{r.action}</a> : `${r.action}${r.details?.target ? `: ${r.details.target}` : ''}`}</td>
            <td>{r.reason}</td>
            <td>{r.outcome}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
