import { byDeadlineThenAge, sendsOffline, type SendJob } from './send-job.repository';

/** When a context's backlog goes out as a batch session instead of one interactive send per invoice. */
export interface BatchSettings {
  /** Due batchable jobs of a context at which it switches to batch (0 = never by count). */
  backlogThreshold: number;
  /** Age of the oldest due job at which it switches (0 = never by age). */
  queueAgeMs: number;
  /** Invoices per package (KSeF allows 10,000 per session). */
  maxInvoices: number;
  /** Sum of invoice sizes per package (the package is held in memory; KSeF allows 50 parts of 100 MB). */
  maxBytes: number;
}

/** Fewer invoices than this go interactively: a batch session costs an open, an upload and a close. */
export const MIN_BATCH_INVOICES = 2;

export interface BacklogFacts {
  /** Due jobs that could go into a package. */
  due: number;
  oldestAgeMs: number;
  /** How long, by the published rate limits (the client's limiter), interactive sends of the due jobs would take. */
  interactiveMs: number;
}

/**
 * The switch (issue #5, end-of-month peaks): batch when the backlog or the queue age passes its threshold, or when the
 * rate limits say interactive sending would keep invoices waiting longer than the queue-age threshold (the
 * production invoiceSend group allows 30 a minute and 180 an hour; a batch session carries up to 10,000).
 */
export function wantsBatch(facts: BacklogFacts, settings: BatchSettings): boolean {
  if (facts.due < MIN_BATCH_INVOICES) return false;
  if (settings.backlogThreshold > 0 && facts.due >= settings.backlogThreshold) return true;
  if (settings.queueAgeMs > 0 && (facts.oldestAgeMs >= settings.queueAgeMs || facts.interactiveMs >= settings.queueAgeMs)) return true;
  return false;
}

export interface BatchSelection {
  /**
   * One package: one form and one mode (all offline or all online: KSeF sets `offlineMode` per batch session), fresh
   * jobs of the context's tenant, within the size cap.
   */
  batch: SendJob[];
  /**
   * Jobs that need the interactive path's per-invoice care (reconcile, interrupted send, wrong tenant, exhausted) and
   * technical corrections (KSeF takes `hashOfCorrectedInvoice` only in an interactive session).
   */
  individual: SendJob[];
  /** Claimed but not for this round (another form, over the size cap): given back untouched. */
  giveBack: SendJob[];
}

/** The package a job may share: same form, same send mode. */
const packageKey = (job: SendJob): string => `${job.form}|${sendsOffline(job) ? 'offline' : 'online'}`;

/**
 * Splits a context's claimed jobs into one package, per-invoice work, and jobs to give back. The package is the
 * group (form and mode) of the job with the earliest legal deadline when any has one, else the largest group.
 */
export function selectBatch(claimed: readonly SendJob[], tenantId: string, maxAttempts: number, settings: Pick<BatchSettings, 'maxBytes'>): BatchSelection {
  const individual: SendJob[] = [];
  const fresh: SendJob[] = [];
  for (const job of claimed) {
    const special = job.inflightSessionRef !== null || job.needsReconcile || job.tenantId !== tenantId || job.attempts >= maxAttempts || job.hashOfCorrectedInvoice !== null;
    (special ? individual : fresh).push(job);
  }
  const groups = new Map<string, SendJob[]>();
  for (const job of fresh) groups.set(packageKey(job), [...(groups.get(packageKey(job)) ?? []), job]);
  const mostUrgent = fresh.filter((job) => job.sendDeadline !== null).sort(byDeadlineThenAge)[0];
  const largest = (mostUrgent ? groups.get(packageKey(mostUrgent)) : [...groups.values()].sort((a, b) => b.length - a.length)[0]) ?? [];
  const batch: SendJob[] = [];
  const giveBack = fresh.filter((job) => !largest.includes(job));
  let bytes = 0;
  for (const job of largest) {
    if (batch.length > 0 && bytes + job.documentSize > settings.maxBytes) giveBack.push(job);
    else {
      batch.push(job);
      bytes += job.documentSize;
    }
  }
  if (batch.length < MIN_BATCH_INVOICES) return { batch: [], individual: [...individual, ...batch], giveBack };
  return { batch, individual, giveBack };
}
