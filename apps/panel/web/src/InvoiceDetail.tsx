import { useCallback, useEffect, useState } from 'react';
import { api, type Detail, type Me } from './api';
import { AuditTable } from './AuditLog';
import { useT } from './i18n';
import { StateBadge, when } from './StateBadge';
import { Validation } from './Validation';

export function InvoiceDetail({ id, me }: { id: string; me: Me }) {
  const { t } = useT();
  const [data, setData] = useState<Detail>();
  const [error, setError] = useState('');
  const load = useCallback(() => api<Detail>(`/invoices/${id}`).then(setData, (e: Error) => setError(e.message)), [id]);
  useEffect(() => {
    void load();
  }, [load]);
  if (error && !data) return <p className="error">{error}</p>;
  if (!data) return null;
  const { invoice, sending, audit, acknowledgement } = data;
  const job = sending && 'job' in sending ? sending : undefined;

  return (
    <div className="detail" data-testid="invoice-detail">
      <p><a href="#/invoices">{t.back}</a></p>
      <section className="card">
        <h2>{invoice.erpDocumentId} <StateBadge state={invoice.state} me={me} /></h2>
        <dl>
          <dt>ID</dt><dd><code>{invoice.id}</code></dd>
          <dt>{t.tenant}</dt><dd>{invoice.tenantId}</dd>
          <dt>{t.context}</dt><dd>{invoice.contextNip ?? ''}</dd>
          <dt>{t.ksefNumber}</dt><dd><code data-testid="ksef-number">{invoice.ksefNumber ?? ''}</code></dd>
          <dt>{t.traceId}</dt><dd><code>{invoice.traceId ?? ''}</code></dd>
          {acknowledgement && <><dt>{t.acknowledged}</dt><dd data-testid="acknowledged">{acknowledgement.username}, {when(acknowledgement.at)}: {acknowledgement.note}</dd></>}
        </dl>
      </section>
      <section className="card">
        <h2>{t.validation}</h2>
        <Validation history={invoice.history} xml={invoice.documentXml} state={invoice.state} />
      </section>
      <Interventions id={id} me={me} state={invoice.state} jobState={job?.job.state} onDone={load} />
      <section className="card">
        <h2>{t.history}</h2>
        <table data-testid="history">
          <thead><tr><th>{t.when}</th><th>{t.state}</th><th>{t.actor}</th><th>{t.lastError}</th><th /></tr></thead>
          <tbody>
            {invoice.history.map((h, i) => (
              <tr key={i}>
                <td>{when(h.at)}</td>
                <td>{h.from ? <><StateBadge state={h.from} me={me} /> → </> : null}<StateBadge state={h.to} me={me} /></td>
                <td>{h.actor}</td>
                <td><code>{h.errorCode ?? ''}</code>{h.httpStatus ? ` (HTTP ${h.httpStatus})` : ''}</td>
                <td>{h.details ? <details><summary>details</summary><pre>{JSON.stringify(h.details, null, 2)}</pre></details> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>{t.attempts}</h2>
        {sending && 'unavailable' in sending ? <p className="error">{sending.unavailable}</p> : !job ? <p>{t.noSendJob}</p> : (
          <>
            <p>{t.sendJob}: <b data-testid="send-job-state">{job.job.state}</b> · {job.job.attempts}</p>
            <table data-testid="attempts">
              <thead><tr><th>#</th><th>{t.when}</th><th>{t.outcome}</th><th>HTTP</th><th>{t.lastError}</th><th>{t.errorBody}</th></tr></thead>
              <tbody>
                {job.attempts.map((a, i) => (
                  <tr key={i}>
                    <td>{a.attempt}{a.counted ? '' : '*'}</td>
                    <td>{when(a.finishedAt)}</td>
                    <td>{a.outcome}</td>
                    <td>{a.httpStatus ?? ''}</td>
                    <td><code>{a.errorCode ?? ''}</code> {a.errorMessage ?? ''}</td>
                    <td>{a.errorBody ? <pre className="body">{JSON.stringify(a.errorBody, null, 2)}</pre> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      {invoice.upoXml && (
        <section className="card"><h2>{t.upo}</h2><details><summary>UPO XML</summary><pre className="xml" data-testid="upo">{invoice.upoXml}</pre></details></section>
      )}
      {invoice.documentXml && (
        <section className="card"><h2>{t.document}</h2><details><summary>XML</summary><pre className="xml">{invoice.documentXml}</pre></details></section>
      )}
      <section className="card"><h2>{t.audit}</h2><AuditTable rows={audit} /></section>
    </div>
  );
}

function Interventions({ id, me, state, jobState, onDone }: { id: string; me: Me; state: string; jobState?: string; onDone: () => unknown }) {
  const { t } = useT();
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const [erpId, setErpId] = useState('');
  const [xml, setXml] = useState('');
  const escalated = state === 'ESCALATED';
  const correctable = ['INVALID', 'REJECTED', 'ESCALATED'].includes(state);
  // After a successful retry the invoice is QUEUED and offers no action, but the outcome message must stay visible.
  if (!(me.can.retry && escalated) && !(me.can.resubmit && correctable) && !message) return null;

  const run = async (action: string, body: Record<string, string> = {}) => {
    setMessage('');
    try {
      await api(`/invoices/${id}/${action}`, { method: 'POST', body: { reason, ...body } });
      setMessage(t.done);
      await onDone();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <section className="card" data-testid="interventions">
      <h2>{t.actions}</h2>
      <label>{t.reason}<input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} /></label>
      <p className="buttons">
        {me.can.retry && escalated && <button disabled={reason.trim().length < 3} onClick={() => run('retry')} title={jobState}>{t.retry}</button>}
        {me.can.cancel && escalated && <button disabled={reason.trim().length < 3} onClick={() => run('cancel')}>{t.cancel}</button>}
        {me.can.acknowledge && escalated && <button disabled={reason.trim().length < 3} onClick={() => run('acknowledge')}>{t.acknowledge}</button>}
      </p>
      {me.can.resubmit && correctable && (
        <details>
          <summary>{t.resubmit}</summary>
          <label>{t.newErpId}<input name="erpDocumentId" value={erpId} onChange={(e) => setErpId(e.target.value)} /></label>
          <label>{t.correctedXml}<textarea name="xml" rows={8} value={xml} onChange={(e) => setXml(e.target.value)} /></label>
          <button disabled={reason.trim().length < 3 || !erpId || !xml} onClick={() => run('resubmit', { erpDocumentId: erpId, xml })}>{t.resubmit}</button>
        </details>
      )}
      {message && <p className="message" role="status">{message}</p>}
    </section>
  );
}
