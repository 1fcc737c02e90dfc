import { useEffect, useState } from 'react';
import { api, type Me } from './api';
import { useT } from './i18n';
import { StateBadge, when } from './StateBadge';

interface DashboardData {
  invoices: { counts: Record<string, number>; oldestQueuedAgeSeconds: number; recentProblems: Array<{ invoiceId: string; tenantId: string; erpDocumentId: string; toState: string; errorCode: string | null; at: string }> };
  sending: { breaker?: { state: string; remainingOpenMs: number }; contexts?: Array<{ nip: string; tenantId: string; enabled: boolean; waiting: number; escalated: number; oldestWaitingAgeSeconds: number; rateHeadroom: { nextSendInMs: number; leftThisMinute: number; leftThisHour: number; limits: { perMinute: number; perHour: number } } | null }>; unavailable?: string };
}

export function Dashboard({ me }: { me: Me }) {
  const { t } = useT();
  const [data, setData] = useState<DashboardData>();
  const [error, setError] = useState('');
  useEffect(() => {
    api<DashboardData>('/dashboard').then(setData, (e: Error) => setError(e.message));
  }, []);
  if (error) return <p className="error">{error}</p>;
  if (!data) return null;
  const { invoices, sending } = data;
  return (
    <div className="grid" data-testid="dashboard">
      <section className="card">
        <h2>{t.countsPerState}</h2>
        <table>
          <tbody>
            {Object.entries(invoices.counts).map(([state, n]) => (
              <tr key={state}>
                <td><a href={`#/invoices?state=${state}`}><StateBadge state={state} me={me} /></a></td>
                <td className="num" data-testid={`count-${state}`}>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>{t.queueAge}: <b>{invoices.oldestQueuedAgeSeconds} {t.seconds}</b></p>
      </section>
      <section className="card">
        <h2>{t.ksefAvailability}</h2>
        {sending.unavailable ? <p className="error">{sending.unavailable}</p> : <p className={`breaker-${sending.breaker?.state}`}>{t.breaker[sending.breaker?.state ?? 'closed']}</p>}
        <h3>{t.contexts}</h3>
        <table>
          <thead><tr><th>NIP</th><th>{t.tenant}</th><th>{t.waiting}</th><th>{t.escalatedCount}</th><th>{t.oldestWaiting}</th><th>{t.headroom}</th></tr></thead>
          <tbody>
            {(sending.contexts ?? []).map((c) => (
              <tr key={c.nip}><td>{c.nip}</td><td>{c.tenantId}</td><td className="num">{c.waiting}</td><td className="num">{c.escalated}</td><td className="num">{c.oldestWaitingAgeSeconds} {t.seconds}</td>
                <td className="num" data-testid={`headroom-${c.nip}`}>{c.rateHeadroom ? `${c.rateHeadroom.leftThisMinute}/${c.rateHeadroom.limits.perMinute} · ${c.rateHeadroom.leftThisHour}/${c.rateHeadroom.limits.perHour}${c.rateHeadroom.nextSendInMs > 0 ? ` (${Math.ceil(c.rateHeadroom.nextSendInMs / 1000)} s)` : ''}` : '—'}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card wide">
        <h2>{t.recentProblems}</h2>
        <table>
          <thead><tr><th>{t.when}</th><th>{t.erpId}</th><th>{t.tenant}</th><th>{t.state}</th><th>{t.lastError}</th></tr></thead>
          <tbody>
            {invoices.recentProblems.map((p, i) => (
              <tr key={i}>
                <td>{when(p.at)}</td>
                <td><a href={`#/invoices/${p.invoiceId}`}>{p.erpDocumentId}</a></td>
                <td>{p.tenantId}</td>
                <td><StateBadge state={p.toState} me={me} /></td>
                <td><code>{p.errorCode ?? ''}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
