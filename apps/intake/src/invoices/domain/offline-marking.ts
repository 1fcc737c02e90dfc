import { OFFLINE_ISSUE_MODES, type OfflineIssue } from '@ksef-bridge/contracts';
import { IntakeRefusal } from './intake-refusal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 3339 with a zone (`Z` or `±hh:mm`), as the contracts' `z.string().datetime({ offset: true })`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The offline marking an ERP sent (`offline` in the HTTP body or the Kafka payload), checked with precise codes
 * before the contract's generic schema would answer REQUEST_INVALID: an unknown mode, `periodEndedAt` with offline24
 * (its deadline runs from the issue date, API.md §11, so a period end would be silently meaningless), a malformed
 * date. Undefined (or null) means an online invoice.
 */
export function parseOfflineMarking(raw: unknown): OfflineIssue | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new IntakeRefusal('OFFLINE_MARKING_INVALID', `offline must be an object {mode, periodEndedAt?}`);
  }
  const { mode, periodEndedAt, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) {
    // Names echoed printable and short: the message is stored (intake.rejected, jsonb refuses U+0000) and shown to people.
    const names = extra.slice(0, 5).map((k) => k.replace(/[^\x20-\x7e]/g, '?').slice(0, 40));
    throw new IntakeRefusal('OFFLINE_MARKING_INVALID', `offline has unknown field(s): ${names.join(', ')}${extra.length > 5 ? ', …' : ''}; allowed: mode, periodEndedAt`);
  }
  if (typeof mode !== 'string' || !(OFFLINE_ISSUE_MODES as readonly string[]).includes(mode)) {
    throw new IntakeRefusal('OFFLINE_MODE_UNKNOWN', `offline.mode must be one of ${OFFLINE_ISSUE_MODES.join(', ')}`, { allowed: [...OFFLINE_ISSUE_MODES] });
  }
  if (periodEndedAt === undefined) return { mode: mode as OfflineIssue['mode'] };
  if (mode === 'offline24') {
    throw new IntakeRefusal('OFFLINE_PERIOD_NOT_ALLOWED', 'offline.periodEndedAt is not allowed with mode offline24: its deadline runs from the issue date (P_1), not from the end of a KSeF period');
  }
  if (typeof periodEndedAt !== 'string' || !DATE_TIME.test(periodEndedAt) || Number.isNaN(Date.parse(periodEndedAt))) {
    throw new IntakeRefusal('OFFLINE_MARKING_INVALID', 'offline.periodEndedAt must be an RFC 3339 date-time with a zone, e.g. 2026-03-10T14:00:00Z');
  }
  return { mode: mode as OfflineIssue['mode'], periodEndedAt };
}

/** `technicalCorrectionOf`: our id of the corrected invoice (a UUID), or undefined. */
export function parseTechnicalCorrectionOf(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !UUID.test(raw)) throw new IntakeRefusal('REQUEST_INVALID', 'technicalCorrectionOf must be the invoice id (a UUID) of the rejected offline invoice being corrected');
  return raw.toLowerCase();
}

/** Two markings mean the same: same mode and the same instant for the period end (whatever its notation). */
export function sameOfflineMarking(a: OfflineIssue | undefined, b: OfflineIssue | undefined): boolean {
  if (!a || !b) return a === b;
  const instant = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));
  return a.mode === b.mode && instant(a.periodEndedAt) === instant(b.periodEndedAt);
}

/** KSeF's `hashOfCorrectedInvoice`: Base64 of the 32 bytes of the corrected file's SHA-256 (intake stores it as hex). */
export function hashOfCorrectedInvoice(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error(`not a hex SHA-256: ${sha256Hex.slice(0, 80)}`);
  return Buffer.from(sha256Hex, 'hex').toString('base64');
}

/** Describes a marking for messages: `offline24`, `failure (ended 2026-03-10T14:00:00Z)`, or `online`. */
export function describeMarking(marking: OfflineIssue | undefined): string {
  if (!marking) return 'online (no offline marking)';
  return marking.periodEndedAt ? `${marking.mode} (period ended ${marking.periodEndedAt})` : marking.mode;
}
