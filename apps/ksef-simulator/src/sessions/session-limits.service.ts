import { Injectable } from '@nestjs/common';
import { SettingsRepository } from '../infrastructure/settings.repository';

export interface SessionLimits {
  onlineSession: { maxInvoiceSizeInMB: number; maxInvoiceWithAttachmentSizeInMB: number; maxInvoices: number };
  batchSession: { maxInvoiceSizeInMB: number; maxInvoiceWithAttachmentSizeInMB: number; maxInvoices: number };
}

/** Documented defaults: 1 MB per invoice, 3 MB with attachments, 10,000 invoices per session. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  onlineSession: { maxInvoiceSizeInMB: 1, maxInvoiceWithAttachmentSizeInMB: 3, maxInvoices: 10_000 },
  batchSession: { maxInvoiceSizeInMB: 1, maxInvoiceWithAttachmentSizeInMB: 3, maxInvoices: 10_000 },
};

/** Per-context session limits (TE lets tests change them) and attachment permissions, cached in memory. */
@Injectable()
export class SessionLimitsService {
  private readonly limits = new Map<string, SessionLimits>();
  private readonly attachments = new Map<string, boolean>();

  constructor(private readonly settings: SettingsRepository) {}

  async forContext(type: string, value: string): Promise<SessionLimits> {
    const key = `${type}:${value}`;
    let limits = this.limits.get(key);
    if (!limits) {
      limits = (await this.settings.get<SessionLimits>(`session-limits:${key}`)) ?? DEFAULT_SESSION_LIMITS;
      this.limits.set(key, limits);
    }
    return limits;
  }

  async set(type: string, value: string, limits: SessionLimits | undefined): Promise<void> {
    const key = `${type}:${value}`;
    if (limits) await this.settings.set(`session-limits:${key}`, limits);
    else await this.settings.delete(`session-limits:${key}`);
    this.limits.set(key, limits ?? DEFAULT_SESSION_LIMITS);
  }

  async attachmentsAllowed(nip: string): Promise<boolean> {
    let allowed = this.attachments.get(nip);
    if (allowed === undefined) {
      allowed = (await this.settings.get<boolean>(`attachments:${nip}`)) ?? false;
      this.attachments.set(nip, allowed);
    }
    return allowed;
  }

  async setAttachments(nip: string, allowed: boolean): Promise<void> {
    await this.settings.set(`attachments:${nip}`, allowed);
    this.attachments.set(nip, allowed);
  }
}
