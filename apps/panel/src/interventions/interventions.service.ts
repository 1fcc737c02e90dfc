import type { DataSource } from 'typeorm';
import { requireAction, tenantScope, type Action, type PanelUser } from '../auth/access-policy';
import type { AuditRepository } from '../audit/audit.repository';
import { BackendError } from '../backend/backend.client';
import type { Backends } from '../backend/backends';
import { invoiceId } from '../invoices/invoice-id';

interface IntakeResult {
  invoiceId: string;
  state: string;
  changed: boolean;
}
interface SendJobView {
  job: { state: string };
}

/**
 * Interventions, each audited with its outcome (also when it fails). "Retry now" of an escalated invoice touches two
 * services, in this order, each step idempotent:
 *  1. the sender's job must be ESCALATED (parked): otherwise KSeF may already hold the invoice (a status-poller
 *     escalation after the send) and a retry would strand it as QUEUED; a job already re-queued is a repeated click;
 *  2. intake: ESCALATED → QUEUED through the state machine (history + status-changed event in one transaction);
 *  3. the sender: job ESCALATED → QUEUED with a fresh attempt budget, due now.
 * Intake goes first so that the sender's outcome (invoice.submitted) always finds the invoice QUEUED. If step 3 fails,
 * the invoice stays QUEUED in intake with the job parked: the answer says so and pressing retry again finishes it
 * (step 2 is then a no-op).
 */
export class InterventionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly backends: Backends,
    private readonly audit: AuditRepository,
  ) {}

  async retry(user: PanelUser, id: string, reason: string) {
    return this.audited(user, 'retry', id, reason, async (tenant, path) => {
      const sending = await this.backends.sender.get<SendJobView>(`${path}/send-job`, { tenant }).catch((error: unknown) => {
        if (error instanceof BackendError && error.status === 404) throw new BackendError(409, 'RETRY_NOT_POSSIBLE', 'The sender has no job for this invoice (it never reached sending)');
        throw error;
      });
      const jobState = sending.job.state;
      if (jobState !== 'ESCALATED' && jobState !== 'QUEUED' && jobState !== 'SENDING') {
        throw new BackendError(409, 'RETRY_NOT_POSSIBLE', `The send job is ${jobState}: KSeF already holds this invoice or refused it; a retry cannot help (send a corrected document or cancel)`);
      }
      const intake = await this.backends.intake.post<IntakeResult>(`${path}/retry`, { tenant, user: user.username, reason });
      const sender = await this.backends.sender.post<{ state: string; changed: boolean }>(`${path}/requeue`, { tenant, user: user.username, reason });
      return { invoiceId: id, state: intake.state, changed: intake.changed || sender.changed, sendJob: sender.state };
    });
  }

  cancel(user: PanelUser, id: string, reason: string) {
    return this.audited(user, 'cancel', id, reason, (tenant, path) => this.backends.intake.post<IntakeResult>(`${path}/cancel`, { tenant, user: user.username, reason }));
  }

  resubmit(user: PanelUser, id: string, reason: string, corrected: { erpDocumentId: string; xml: string }) {
    return this.audited(user, 'resubmit', id, reason, (tenant, path) => this.backends.intake.post(`${path}/resubmit`, { tenant, user: user.username, reason, ...corrected }), {
      erpDocumentId: corrected.erpDocumentId,
    });
  }

  /** Acknowledging an escalation changes no state: a flag and an audit entry saying a person has seen it. */
  acknowledge(user: PanelUser, id: string, reason: string) {
    return this.audited(user, 'acknowledge', id, reason, async (tenant, path) => {
      const invoice = await this.backends.intake.get<{ state: string; tenantId: string }>(path, { tenant });
      if (invoice.state !== 'ESCALATED') throw new BackendError(409, 'NOT_ESCALATED', `Only an escalated invoice is acknowledged; this one is ${invoice.state}`);
      const first = await this.audit.acknowledge(this.dataSource, user, id, invoice.tenantId, reason);
      return { invoiceId: id, acknowledged: true, changed: first };
    });
  }

  private async audited<T>(user: PanelUser, action: Action, rawId: string, reason: string, run: (tenant: string | undefined, path: string) => Promise<T>, details?: Record<string, unknown>): Promise<T> {
    requireAction(user, action);
    const id = invoiceId(rawId);
    const tenant = tenantScope(user);
    const path = `/invoices/${encodeURIComponent(id)}`;
    // The invoice's tenant (also for an admin) is recorded with the entry; a 404 here ends it before anything is done.
    const { tenantId } = await this.backends.intake.get<{ tenantId: string }>(path, { tenant });
    try {
      const result = await run(tenant, path);
      await this.audit.record(this.dataSource, user, { action, invoiceId: id, tenantId, reason, outcome: 'done', details: { ...details, result } });
      return result;
    } catch (error) {
      const code = error instanceof BackendError ? error.code : 'INTERNAL';
      await this.audit.record(this.dataSource, user, { action, invoiceId: id, tenantId, reason, outcome: `failed: ${code}`, details: { ...details, message: (error as Error).message } });
      throw error;
    }
  }
}
